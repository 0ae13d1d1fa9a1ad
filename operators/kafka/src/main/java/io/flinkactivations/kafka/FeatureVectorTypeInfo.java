package io.flinkactivations.kafka;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink type information for {@link FeatureVector}: its own serializer, no Kryo. */
@Internal
public final class FeatureVectorTypeInfo extends TypeInformation<FeatureVector> {
    private static final long serialVersionUID = 1L;
    public static final FeatureVectorTypeInfo INSTANCE = new FeatureVectorTypeInfo();

    /** Picked up from {@code @TypeInfo} on {@link FeatureVector}. */
    public static final class Factory extends TypeInfoFactory<FeatureVector> {
        @Override
        public TypeInformation<FeatureVector> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> genericParameters) {
            return INSTANCE;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<FeatureVector> getTypeClass() {
        return FeatureVector.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<FeatureVector> createSerializer(SerializerConfig config) {
        return FeatureVectorSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "FeatureVector";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FeatureVectorTypeInfo;
    }

    @Override
    public int hashCode() {
        return FeatureVectorTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof FeatureVectorTypeInfo;
    }
}
