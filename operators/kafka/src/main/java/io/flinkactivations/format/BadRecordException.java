package io.flinkactivations.format;

import io.flinkactivations.stream.BadRecordReason;
import org.apache.flink.annotation.Internal;

/** A record that cannot be processed, with the reason a user can act on. */
@Internal
public final class BadRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    private final BadRecordReason reason;

    public BadRecordException(BadRecordReason reason, String message) {
        super(message, null, false, false); // no stack trace: this is data, not a bug
        this.reason = reason;
    }

    public BadRecordReason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return reason.code() + ": " + getMessage();
    }
}
