package io.flinkactivations.stream;

import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.EnumTypeInfo;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;

/**
 * A user's record the operators could not process, with why: {@link #reason()} (its {@link
 * BadRecordReason#code() code}, e.g. {@code dimension-mismatch}, {@code late}) and a message saying
 * what was wrong. Serialized by Flink's POJO serializer with the record's own serializer inside
 * ({@link #typeInfo}), never Kryo.
 *
 * @param <T> the record type
 */
@PublicEvolving
public final class DeadLetter<T> {
    private T record;
    private BadRecordReason reason;
    private String message;

    /** For Flink's serializer. */
    public DeadLetter() {}

    /**
     * A dead letter.
     *
     * @param record the record as it came in
     * @param reason why it could not be processed
     * @param message what was wrong, for a person to read
     */
    public DeadLetter(T record, BadRecordReason reason, String message) {
        this.record = record;
        this.reason = Objects.requireNonNull(reason, "reason");
        this.message = message;
    }

    /** The type of dead letters of records of {@code recordType}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static <T> TypeInformation<DeadLetter<T>> typeInfo(TypeInformation<T> recordType) {
        try {
            return (TypeInformation)
                    new PojoTypeInfo<>(
                            DeadLetter.class,
                            List.of(
                                    new PojoField(
                                            DeadLetter.class.getDeclaredField("record"),
                                            recordType),
                                    new PojoField(
                                            DeadLetter.class.getDeclaredField("reason"),
                                            new EnumTypeInfo<>(BadRecordReason.class)),
                                    new PojoField(
                                            DeadLetter.class.getDeclaredField("message"),
                                            Types.STRING)));
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The record as it came in. */
    public T record() {
        return record;
    }

    /**
     * Why the record could not be processed; its {@link BadRecordReason#code() code} is what
     * reports carry.
     */
    public BadRecordReason reason() {
        return reason;
    }

    /** What was wrong with the record, for a person to read. */
    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter<?> d
                && Objects.equals(record, d.record)
                && reason == d.reason
                && Objects.equals(message, d.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(record, reason, message);
    }

    @Override
    public String toString() {
        return "DeadLetter["
                + (reason == null ? null : reason.code())
                + ": "
                + message
                + ", "
                + record
                + "]";
    }
}
