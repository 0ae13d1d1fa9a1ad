package io.flinkactivations.jobs;

import org.apache.flink.annotation.Internal;

/**
 * The job cannot start, or cannot go on, for a reason outside its flags (a broker, a topic, a
 * permission, a failure it could not recover from). The message is the one line the console shows:
 * what is wrong and what to fix.
 */
@Internal
public final class JobCannotRunException extends Exception {
    private static final long serialVersionUID = 1L;

    public JobCannotRunException(String message) {
        super(message, null, false, false);
    }
}
