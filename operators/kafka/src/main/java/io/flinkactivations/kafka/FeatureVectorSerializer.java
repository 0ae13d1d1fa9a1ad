package io.flinkactivations.kafka;

import io.flinkactivations.stream.BadRecordReason;
import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for {@link FeatureVector}: a flags byte says which optional parts follow, then
 * the features as raw floats. Used for network shuffles and for window state.
 */
@Internal
public final class FeatureVectorSerializer extends TypeSerializerSingleton<FeatureVector> {
    private static final long serialVersionUID = 1L;
    public static final FeatureVectorSerializer INSTANCE = new FeatureVectorSerializer();

    private static final BadRecordReason[] REASONS = BadRecordReason.values();
    private static final int HAS_KEY = 1;
    private static final int HAS_VALUE = 2;
    private static final int HAS_FEATURES = 4;
    private static final int HAS_SOURCE = 8;
    private static final int IS_BAD = 16;
    private static final int IS_WINDOW = 32;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public FeatureVector createInstance() {
        return new FeatureVector();
    }

    @Override
    public FeatureVector copy(FeatureVector from) {
        FeatureVector v = from.copy();
        v.key = from.key == null ? null : from.key.clone();
        v.value = from.value == null ? null : from.value.clone();
        v.features = from.features == null ? null : from.features.clone();
        return v;
    }

    @Override
    public FeatureVector copy(FeatureVector from, FeatureVector reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FeatureVector v, DataOutputView out) throws IOException {
        int flags =
                (v.key != null ? HAS_KEY : 0)
                        | (v.value != null ? HAS_VALUE : 0)
                        | (v.features != null ? HAS_FEATURES : 0)
                        | (v.topic != null ? HAS_SOURCE : 0)
                        | (v.badReason != null ? IS_BAD : 0)
                        | (v.windowCount != FeatureVector.NO_WINDOW ? IS_WINDOW : 0);
        out.writeByte(flags);
        out.writeLong(v.timestamp);
        if (v.key != null) {
            out.writeInt(v.key.length);
            out.write(v.key);
        }
        if (v.value != null) {
            out.writeInt(v.value.length);
            out.write(v.value);
            out.writeInt(v.featuresStart);
            out.writeInt(v.featuresEnd);
            out.writeInt(v.objectEnd);
        }
        if (v.features != null) {
            out.writeInt(v.features.length);
            for (float f : v.features) {
                out.writeInt(Float.floatToRawIntBits(f));
            }
        }
        if (v.topic != null) {
            out.writeUTF(v.topic);
            out.writeInt(v.partition);
            out.writeLong(v.offset);
        }
        if (v.badReason != null) {
            out.writeByte(v.badReason.ordinal());
            out.writeUTF(v.badMessage == null ? "" : v.badMessage);
        }
        if (v.windowCount != FeatureVector.NO_WINDOW) {
            out.writeLong(v.windowStart);
            out.writeLong(v.windowEnd);
            out.writeInt(v.windowCount);
        }
    }

    @Override
    public FeatureVector deserialize(DataInputView in) throws IOException {
        FeatureVector v = new FeatureVector();
        int flags = in.readByte();
        v.timestamp = in.readLong();
        if ((flags & HAS_KEY) != 0) {
            v.key = new byte[in.readInt()];
            in.readFully(v.key);
        }
        if ((flags & HAS_VALUE) != 0) {
            v.value = new byte[in.readInt()];
            in.readFully(v.value);
            v.featuresStart = in.readInt();
            v.featuresEnd = in.readInt();
            v.objectEnd = in.readInt();
        }
        if ((flags & HAS_FEATURES) != 0) {
            float[] f = new float[in.readInt()];
            for (int i = 0; i < f.length; i++) {
                f[i] = Float.intBitsToFloat(in.readInt());
            }
            v.features = f;
        }
        if ((flags & HAS_SOURCE) != 0) {
            v.topic = in.readUTF();
            v.partition = in.readInt();
            v.offset = in.readLong();
        }
        if ((flags & IS_BAD) != 0) {
            v.badReason = REASONS[in.readByte()];
            v.badMessage = in.readUTF();
        }
        if ((flags & IS_WINDOW) != 0) {
            v.windowStart = in.readLong();
            v.windowEnd = in.readLong();
            v.windowCount = in.readInt();
        }
        return v;
    }

    @Override
    public FeatureVector deserialize(FeatureVector reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<FeatureVector> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: the format has one version so far. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FeatureVector> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
