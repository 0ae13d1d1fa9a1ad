package io.flinkactivations.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ServiceLoader;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.Factory;
import org.junit.jupiter.api.Test;

/**
 * The f32le format's reader and writer: the job's bytes both ways, bit for bit; what cannot be read
 * fails with a message or is skipped; what cannot be written fails; the columns are checked.
 */
class F32leFormatFactoryTest {

    @Test
    void aValueIsItsFloat32sBothWaysBitForBit() throws IOException {
        float[] v = {1f, -2.5f, Float.NaN, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE};
        byte[] bytes = F32le.write(v, 0, v.length);
        RowData row = new F32leFormatFactory.Reader(null, false).deserialize(bytes);
        assertThat(row.getArity()).isEqualTo(1);
        float[] read = row.getArray(0).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertThat(Float.floatToRawIntBits(read[i])).isEqualTo(Float.floatToRawIntBits(v[i]));
        }
        assertThat(new F32leFormatFactory.Writer().serialize(row)).isEqualTo(bytes);
    }

    @Test
    void aTombstoneIsNoRowAndAnEmptyValueAnEmptyArray() throws IOException {
        F32leFormatFactory.Reader reader = new F32leFormatFactory.Reader(null, false);
        assertThat(reader.deserialize(null)).isNull();
        assertThat(reader.deserialize(new byte[0]).getArray(0).size()).isZero();
    }

    @Test
    void aValueOfPartFloatsFailsOrIsSkipped() throws IOException {
        assertThatThrownBy(
                        () -> new F32leFormatFactory.Reader(null, false).deserialize(new byte[7]))
                .isInstanceOf(IOException.class)
                .hasMessage(
                        "Failed to deserialize an f32le value of 7 bytes: not a whole number of float32s "
                                + "(a multiple of 4 bytes); 'f32le.ignore-parse-errors' = 'true' skips such values");
        assertThat(new F32leFormatFactory.Reader(null, true).deserialize(new byte[7])).isNull();
    }

    @Test
    void aNullArrayIsANullValueAndANullElementCannotBeWritten() {
        F32leFormatFactory.Writer writer = new F32leFormatFactory.Writer();
        assertThat(writer.serialize(GenericRowData.of((Object) null))).isNull();
        GenericRowData withNull = GenericRowData.of(new GenericArrayData(new Object[] {1f, null}));
        assertThatThrownBy(() -> writer.serialize(withNull))
                .hasMessageStartingWith("Cannot write features[1], a NULL, as f32le");
    }

    @Test
    void theValueColumnsMustBeOneArrayOfFloat() {
        F32leFormatFactory.checkColumns(
                DataTypes.ROW(DataTypes.FIELD("features", DataTypes.ARRAY(DataTypes.FLOAT()))));
        assertThatThrownBy(
                        () ->
                                F32leFormatFactory.checkColumns(
                                        DataTypes.ROW(
                                                DataTypes.FIELD("id", DataTypes.STRING()),
                                                DataTypes.FIELD(
                                                        "features",
                                                        DataTypes.ARRAY(DataTypes.FLOAT())))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("one ARRAY<FLOAT> column")
                .hasMessageContaining("'value.fields-include' = 'EXCEPT_KEY'");
        assertThatThrownBy(
                        () ->
                                F32leFormatFactory.checkColumns(
                                        DataTypes.ROW(
                                                DataTypes.FIELD(
                                                        "features",
                                                        DataTypes.ARRAY(DataTypes.DOUBLE())))))
                .isInstanceOf(ValidationException.class);
    }

    @Test
    void flinkFindsTheFormatByItsName() {
        assertThat(ServiceLoader.load(Factory.class).stream().map(p -> p.get().factoryIdentifier()))
                .contains(F32leFormatFactory.IDENTIFIER);
    }
}
