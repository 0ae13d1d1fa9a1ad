package io.flinkactivations.stream;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Where a user's record keeps its feature vector: a {@code float[]} or a {@code double[]} the
 * operators read (never modify) and hand back, as the same array type, to the result maker.
 *
 * <pre>{@code
 * Features<Reading, float[]> f = Features.floats(Reading::getFeatures);
 * Features<Reading, double[]> d = Features.doubles(Reading::getValues);
 * }</pre>
 *
 * <p>The compute core works in float32, as PyTorch's default dtype: {@code double[]} features are
 * rounded to float32, computed, and the results widened exactly. A reader that returns null gives a
 * dead letter {@code missing-features}, an empty array {@code empty-vector}.
 *
 * @param <T> the record type
 * @param <V> {@code float[]} or {@code double[]}
 */
@PublicEvolving
public final class Features<T, V> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Reads a record's features; must be serializable (a method reference or a lambda is). */
    @FunctionalInterface
    public interface Reader<T, V> extends Serializable {
        /**
         * Reads a record's features; the operators never modify the array.
         *
         * @param record a record
         * @return its features, or null when it has none (a dead letter, {@code missing-features})
         */
        V read(T record);
    }

    private final Reader<T, V> reader;
    private final boolean doubles;

    private Features(Reader<T, V> reader, boolean doubles) {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.doubles = doubles;
    }

    /** Features in a {@code float[]}. */
    public static <T> Features<T, float[]> floats(Reader<T, float[]> reader) {
        return new Features<>(reader, false);
    }

    /** Features in a {@code double[]}: computed in float32, results widened. */
    public static <T> Features<T, double[]> doubles(Reader<T, double[]> reader) {
        return new Features<>(reader, true);
    }

    /**
     * The record's features as float32: the array itself for floats; null when the reader gives
     * null.
     */
    float[] read(T record) {
        V v = reader.read(record);
        if (v == null || !doubles) {
            return (float[]) v;
        }
        double[] d = (double[]) v;
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /**
     * The number of the record's features, without converting them; -1 when the reader gives null.
     */
    int dimension(T record) {
        V v = reader.read(record);
        return v == null ? -1 : doubles ? ((double[]) v).length : ((float[]) v).length;
    }

    /** A result as the reader's array type; {@code result} is the operator's own array. */
    @SuppressWarnings("unchecked")
    V result(float[] result) {
        if (!doubles) {
            return (V) result;
        }
        double[] d = new double[result.length];
        for (int i = 0; i < result.length; i++) {
            d[i] = result[i];
        }
        return (V) d;
    }

    @Override
    public String toString() {
        return doubles ? "double[] features" : "float[] features";
    }
}
