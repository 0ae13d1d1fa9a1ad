package io.flinkactivations.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.format.JsonRecord;
import io.flinkactivations.stream.BadRecordReason;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * FeatureVector has its own serializer (never Kryo) that keeps every field, NaN payloads included.
 */
class FeatureVectorSerializerTest {

    static FeatureVector roundTrip(FeatureVector v) throws Exception {
        TypeSerializer<FeatureVector> s =
                TypeInformation.of(FeatureVector.class)
                        .createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(v, out);
        FeatureVector back =
                s.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        assertThat(s.copy(v)).isEqualTo(v);
        return back;
    }

    @Test
    void flinkUsesItsOwnSerializerNotKryo() {
        TypeInformation<FeatureVector> info = TypeInformation.of(FeatureVector.class);
        assertThat(info).isSameAs(FeatureVectorTypeInfo.INSTANCE);
        assertThat(info.createSerializer(new SerializerConfigImpl()))
                .isSameAs(FeatureVectorSerializer.INSTANCE);
    }

    @Test
    void everyKindOfRecordRoundTrips() throws Exception {
        byte[] json = "{\"id\": 1, \"features\": [1, 2]}".getBytes(StandardCharsets.UTF_8);
        JsonRecord.Layout layout = JsonRecord.parse(json, 0, json.length);
        FeatureVector fromJson =
                FeatureVectors.json(
                        "k".getBytes(StandardCharsets.UTF_8), json, layout, 42L, "t", 1, 7L);
        FeatureVector f32 =
                FeatureVectors.f32le(
                        null, new float[] {Float.intBitsToFloat(0x7fc00123), -0f}, 1L, "t", 0, 1L);
        FeatureVector bad =
                FeatureVectors.bad(
                        null,
                        new byte[] {1, 2, 3},
                        5L,
                        "t",
                        0,
                        9L,
                        BadRecordReason.MALFORMED_JSON,
                        "oops");
        FeatureVector plain = FeatureVector.of(new float[] {3f}, 0L).withKey(new byte[] {9});
        FeatureVector windowed = fromJson.withFeatures(new float[] {0.5f, 0.5f});
        windowed.windowStart = 10;
        windowed.windowEnd = 20;
        windowed.windowCount = 2;
        for (FeatureVector v :
                new FeatureVector[] {
                    fromJson, f32, bad, plain, windowed, bad.asBad(BadRecordReason.LATE, "late")
                }) {
            assertThat(roundTrip(v)).isEqualTo(v);
        }
        assertThat(Float.floatToRawIntBits(roundTrip(f32).features()[0])).isEqualTo(0x7fc00123);
    }

    @Test
    void itsSnapshotRestoresAsCompatible() {
        TypeSerializerSchemaCompatibility<FeatureVector> compat =
                FeatureVectorSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(new FeatureVectorSerializer.Snapshot());
        assertThat(compat.isCompatibleAsIs()).isTrue();
    }
}
