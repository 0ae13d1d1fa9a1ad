package io.flinkactivations.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys records by their Kafka key. Byte arrays cannot be Flink keys, so the key is the bytes as an
 * ISO-8859-1 string (one char per byte, no loss) behind a marker; a missing key is a stream of its
 * own.
 */
final class RecordKey implements KeySelector<FeatureVector, String> {
    private static final long serialVersionUID = 1L;

    /** The key of records without a Kafka key. */
    public static final String NO_KEY = "-";

    @Override
    public String getKey(FeatureVector v) {
        return v.key == null ? NO_KEY : "k" + new String(v.key, StandardCharsets.ISO_8859_1);
    }

    /** The Kafka key bytes of a key made by {@link #getKey} (null for {@link #NO_KEY}). */
    public static byte[] bytes(String key) {
        return NO_KEY.equals(key) ? null : key.substring(1).getBytes(StandardCharsets.ISO_8859_1);
    }
}
