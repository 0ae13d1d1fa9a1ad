package io.flinkactivations.format;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * The f32le format in Flink SQL: {@code 'format' = 'f32le'} (or {@code 'value.format'}) reads and
 * writes a value of raw little-endian float32s, as the job does, into and from one {@code
 * ARRAY<FLOAT>} column. The key, if the table has one, goes through Flink's own {@code key.format}
 * (e.g. {@code 'raw'}) with {@code 'value.fields-include' = 'EXCEPT_KEY'}.
 *
 * <p>A value whose length is not a whole number of float32s fails the job, as Flink's formats do
 * with what they cannot parse, unless {@code 'f32le.ignore-parse-errors' = 'true'} skips it. A
 * {@code null} value (a Kafka tombstone) is skipped; an empty one is an empty array. Writing, a
 * {@code NULL} array is a {@code null} value, and an array with a {@code NULL} element fails the
 * job: f32le has no NULL.
 */
@PublicEvolving
public final class F32leFormatFactory
        implements DeserializationFormatFactory, SerializationFormatFactory {
    /** The format's name in {@code 'format' = 'f32le'}. */
    public static final String IDENTIFIER = "f32le";

    /** Skip values that are not whole float32s instead of failing the job. */
    public static final ConfigOption<Boolean> IGNORE_PARSE_ERRORS =
            ConfigOptions.key("ignore-parse-errors")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Skip a value whose length is not a multiple of 4 bytes instead of failing the job.");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(IGNORE_PARSE_ERRORS);
    }

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(
            DynamicTableFactory.Context context, ReadableConfig formatOptions) {
        FactoryUtil.validateFactoryOptions(this, formatOptions);
        boolean ignoreParseErrors = formatOptions.get(IGNORE_PARSE_ERRORS);
        return new DecodingFormat<>() {
            @Override
            public DeserializationSchema<RowData> createRuntimeDecoder(
                    DynamicTableSource.Context ctx, DataType physicalDataType) {
                checkColumns(physicalDataType);
                return new Reader(ctx.createTypeInformation(physicalDataType), ignoreParseErrors);
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    @Override
    public EncodingFormat<SerializationSchema<RowData>> createEncodingFormat(
            DynamicTableFactory.Context context, ReadableConfig formatOptions) {
        FactoryUtil.validateFactoryOptions(this, formatOptions);
        return new EncodingFormat<>() {
            @Override
            public SerializationSchema<RowData> createRuntimeEncoder(
                    DynamicTableSink.Context ctx, DataType physicalDataType) {
                checkColumns(physicalDataType);
                return new Writer();
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    /** The value's columns must be one {@code ARRAY<FLOAT>}: f32le carries nothing else. */
    static void checkColumns(DataType physicalDataType) {
        List<LogicalType> columns = physicalDataType.getLogicalType().getChildren();
        if (columns.size() != 1
                || !(columns.get(0) instanceof ArrayType array)
                || array.getElementType().getTypeRoot() != LogicalTypeRoot.FLOAT) {
            throw new ValidationException(
                    "The f32le format reads and writes one ARRAY<FLOAT> column, the value's float32s; the value's"
                            + " columns here are "
                            + physicalDataType.getLogicalType().asSummaryString()
                            + ". Give the key its own 'key.format' and 'value.fields-include' = 'EXCEPT_KEY'.");
        }
    }

    /** Reads a value of float32s into a row of one {@code ARRAY<FLOAT>}. */
    static final class Reader implements DeserializationSchema<RowData> {
        private static final long serialVersionUID = 1L;
        private final TypeInformation<RowData> producedType;
        private final boolean ignoreParseErrors;

        Reader(TypeInformation<RowData> producedType, boolean ignoreParseErrors) {
            this.producedType = producedType;
            this.ignoreParseErrors = ignoreParseErrors;
        }

        @Override
        public RowData deserialize(byte[] message) throws IOException {
            if (message == null) {
                return null; // a tombstone: no row
            }
            if (message.length % Float.BYTES != 0) {
                if (ignoreParseErrors) {
                    return null;
                }
                throw new IOException(
                        "Failed to deserialize an f32le value of "
                                + message.length
                                + " bytes: not a whole number of float32s (a multiple of 4 bytes); "
                                + "'f32le.ignore-parse-errors' = 'true' skips such values");
            }
            return GenericRowData.of(new GenericArrayData(F32le.decode(message)));
        }

        @Override
        public boolean isEndOfStream(RowData next) {
            return false;
        }

        @Override
        public TypeInformation<RowData> getProducedType() {
            return producedType;
        }
    }

    /** Writes a row's {@code ARRAY<FLOAT>} as a value of float32s. */
    static final class Writer implements SerializationSchema<RowData> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(RowData row) {
            if (row.isNullAt(0)) {
                return null;
            }
            ArrayData array = row.getArray(0);
            for (int i = 0; i < array.size(); i++) {
                if (array.isNullAt(i)) {
                    throw new IllegalArgumentException(
                            "Cannot write features["
                                    + i
                                    + "], a NULL, as f32le (raw float32s have no NULL); "
                                    + "replace NULLs before writing, e.g. with COALESCE");
                }
            }
            float[] values = array.toFloatArray();
            return F32le.write(values, 0, values.length);
        }
    }
}
