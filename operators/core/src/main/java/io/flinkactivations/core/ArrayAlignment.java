package io.flinkactivations.core;

/**
 * Where a large float array's elements fall against vector boundaries, as far as Java lets one
 * know. No public API gives a heap array's address, but a large one in G1 (the default collector)
 * is a humongous object, placed at the start of a heap region; its data then begins the array base
 * offset (16 bytes, 12 with compact object headers) past a region boundary, so element k sits at
 * {@code base + 4k} modulo any vector size. The element-wise loops start their vectors where that
 * puts them on a boundary: on AVX-512 a 64-byte access that straddles a cache line runs as two
 * ({@code AlignmentBenchmark} measures it). Where the assumption is wrong (small arrays, other
 * collectors) the peel costs a few scalar elements and the vectors are no more misaligned than
 * before.
 */
final class ArrayAlignment {
    /**
     * Below this many elements the data is mostly in cache and the peel is not worth its scalar
     * steps.
     */
    static final int PEEL_FROM = 1 << 16;

    /**
     * Bytes from an array's header to its first float: {@code Unsafe.ARRAY_FLOAT_BASE_OFFSET}, else
     * 16.
     */
    static final int FLOAT_BASE_OFFSET = floatBaseOffset();

    private ArrayAlignment() {}

    /**
     * How many elements from {@code offset} on to process before element {@code offset + peel} of a
     * large array starts a vector of {@code vectorBytes} (0 to lanes - 1).
     */
    static int peel(int offset, int vectorBytes) {
        int lanes = vectorBytes / Float.BYTES;
        int index = FLOAT_BASE_OFFSET / Float.BYTES + offset;
        return (lanes - index % lanes) % lanes;
    }

    private static int floatBaseOffset() {
        try {
            // read reflectively: a constant field, no memory access through Unsafe
            int offset =
                    Class.forName("sun.misc.Unsafe")
                            .getField("ARRAY_FLOAT_BASE_OFFSET")
                            .getInt(null);
            return offset % Float.BYTES == 0 ? offset : 16;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return 16;
        }
    }
}
