package io.flinkactivations.format;

import io.flinkactivations.stream.BadRecordReason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.flink.annotation.Internal;

/** The f32le record format: the value is raw little-endian IEEE-754 float32s, no header. */
@Internal
public final class F32le {
    private F32le() {}

    public static float[] parse(byte[] bytes) throws BadRecordException {
        if (bytes == null || bytes.length == 0) {
            throw new BadRecordException(BadRecordReason.EMPTY_VECTOR, "the value is empty");
        }
        if (bytes.length % Float.BYTES != 0) {
            throw new BadRecordException(
                    BadRecordReason.TRUNCATED_F32,
                    "the value has "
                            + bytes.length
                            + " bytes, not a multiple of 4 (f32le is raw little-endian float32s)");
        }
        return decode(bytes);
    }

    /** The float32s of {@code bytes}, whose length is a multiple of 4 (empty: no floats). */
    static float[] decode(byte[] bytes) {
        float[] v = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** The bytes of {@code values[off, off + len)}; NaN payloads are kept bit for bit. */
    public static byte[] write(float[] values, int off, int len) {
        byte[] b = new byte[len * Float.BYTES];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values, off, len);
        return b;
    }
}
