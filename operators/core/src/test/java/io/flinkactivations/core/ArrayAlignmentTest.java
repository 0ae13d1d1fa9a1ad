package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArrayAlignmentTest {
    @Test
    void peelPutsTheFirstVectorOnABoundaryOfTheAssumedLayout() {
        assertThat(ArrayAlignment.FLOAT_BASE_OFFSET).isIn(12, 16, 20, 24);
        for (int vectorBytes : new int[] {16, 32, 64}) {
            int lanes = vectorBytes / Float.BYTES;
            for (int offset = 0; offset < 3 * lanes; offset++) {
                int peel = ArrayAlignment.peel(offset, vectorBytes);
                assertThat(peel)
                        .as("offset %d, %d-byte vectors", offset, vectorBytes)
                        .isBetween(0, lanes - 1);
                assertThat(
                                (ArrayAlignment.FLOAT_BASE_OFFSET + Float.BYTES * (offset + peel))
                                        % vectorBytes)
                        .as("offset %d, %d-byte vectors", offset, vectorBytes)
                        .isZero();
            }
        }
    }
}
