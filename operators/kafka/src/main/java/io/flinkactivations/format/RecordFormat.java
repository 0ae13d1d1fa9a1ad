package io.flinkactivations.format;

import java.util.Locale;
import org.apache.flink.annotation.PublicEvolving;

/** The wire formats of a record's value. */
@PublicEvolving
public enum RecordFormat {
    /** A JSON object with a {@code features} array, or a bare array (see {@link JsonRecord}). */
    JSON,
    /** Raw little-endian float32s, no header (see {@link F32le}). */
    F32LE;

    public static RecordFormat parse(String s) {
        for (RecordFormat f : values()) {
            if (f.name().equalsIgnoreCase(s.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException(
                "Unknown format '" + s + "'; valid formats: json, f32le");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
