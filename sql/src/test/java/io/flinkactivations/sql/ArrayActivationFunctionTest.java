package io.flinkactivations.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.binary.BinaryArrayData;
import org.junit.jupiter.api.Test;

/**
 * Every layout of Flink's array data gives the kernel's numbers, and the input is left as it was.
 */
class ArrayActivationFunctionTest {

    private static final float[] VALUES = {
        1f, -2f, 3f, -5f, Float.NaN, Float.POSITIVE_INFINITY, 0.5f
    };

    private static float[] expected(String spec, float[] in) {
        float[] out = new float[in.length];
        Kernels.get().kernel(ActivationSpec.parse(spec)).apply(in, 0, out, 0, in.length);
        return out;
    }

    private static ArrayActivationFunction function(String spec, boolean doubles) {
        ActivationSpec s = ActivationSpec.parse(spec);
        return ArrayActivationFunction.specialized(
                new ActivationFunction(s.activation()), s, doubles);
    }

    @Test
    void floatArraysInEveryLayout() {
        for (String spec :
                new String[] {
                    "gelu(approximate=tanh)", "softmax(temperature=2)", "leaky_relu(0.2)"
                }) {
            float[] want = expected(spec, VALUES);
            BinaryArrayData binary = BinaryArrayData.fromPrimitiveArray(VALUES.clone());
            GenericArrayData primitive = new GenericArrayData(VALUES.clone());
            Float[] boxed = new Float[VALUES.length];
            for (int i = 0; i < boxed.length; i++) {
                boxed[i] = VALUES[i];
            }
            for (ArrayData in : new ArrayData[] {binary, primitive, new GenericArrayData(boxed)}) {
                assertThat(function(spec, false).eval(in).toFloatArray())
                        .as(spec + " on " + in.getClass().getSimpleName())
                        .containsExactly(want);
                assertThat(in.toFloatArray()).containsExactly(VALUES); // not written to
            }
        }
    }

    @Test
    void doubleArraysAreComputedInFloat32AndWidenedExactly() {
        double[] d = new double[VALUES.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = VALUES[i] + 1e-9; // rounds to the same float
        }
        for (String spec : new String[] {"sigmoid", "softmax(temperature=2)", "relu"}) {
            float[] want = expected(spec, VALUES);
            for (ArrayData in :
                    new ArrayData[] {
                        BinaryArrayData.fromPrimitiveArray(d.clone()),
                        new GenericArrayData(d.clone())
                    }) {
                double[] out = function(spec, true).eval(in).toDoubleArray();
                for (int i = 0; i < want.length; i++) {
                    assertThat(Double.doubleToLongBits(out[i]))
                            .as(spec + " on " + in.getClass().getSimpleName() + " at " + i)
                            .isEqualTo(Double.doubleToLongBits(want[i]));
                }
                assertThat(in.toDoubleArray()).containsExactly(d);
            }
        }
    }

    @Test
    void nullElementsStayInPlaceAndSoftmaxSkipsThem() {
        ArrayData in = new GenericArrayData(new Object[] {1f, null, 3f});
        ArrayData out = function("softmax", false).eval(in);
        float[] want = expected("softmax", new float[] {1f, 3f});
        assertThat(out.isNullAt(1)).isTrue();
        assertThat(out.getFloat(0)).isEqualTo(want[0]);
        assertThat(out.getFloat(2)).isEqualTo(want[1]);
        assertThat(function("relu", false).eval(null)).isNull();
        assertThat(function("relu", false).eval(new GenericArrayData(new float[0])).size())
                .isZero();
    }
}
