package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.ParamDef;
import io.flinkactivations.format.F32le;
import io.flinkactivations.jobs.testutils.KafkaJobTestBase;
import io.flinkactivations.sql.ActivationsModule;
import io.flinkactivations.testutils.GoldenCase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Flink SQL on Kafka tables (Flink's Kafka connector, the JSON format and the project's f32le
 * format) with the activations' functions, on a MiniCluster and a real broker: INSERT INTO ...
 * SELECT with the scalar functions against the golden outputs, on JSON and on the job's f32le
 * values, and with WINDOWED_SOFTMAX against the DataStream job on the same records.
 */
class SqlKafkaITCase extends KafkaJobTestBase {

    private StreamTableEnvironment tables() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.loadModule(ActivationsModule.IDENTIFIER, ActivationsModule.INSTANCE);
        return tables;
    }

    private static String kafkaTable(String name, String columns, String topic, boolean source) {
        return "CREATE TEMPORARY TABLE "
                + name
                + " ("
                + columns
                + ") WITH ('connector' = 'kafka', 'topic' = '"
                + topic
                + "', 'properties.bootstrap.servers' = '"
                + kafka.bootstrapServers()
                + "', 'format' = 'json'"
                + (source
                        ? ", 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', "
                                + "'properties.group.id' = 'sql-"
                                + name
                                + "'"
                        : "")
                + ")";
    }

    @Test
    void scalarFunctionsFromKafkaToKafkaGivePyTorchsNumbers() throws Exception {
        String[] t = topics("sql-golden", 1);
        // the golden vectors with finite inputs: JSON numbers (the job's own JSON also reads NaN
        // and infinities)
        List<GoldenCase> cases =
                GoldenCase.all().stream()
                        .filter(c -> !c.isWindow())
                        .filter(
                                c -> {
                                    for (float x : c.input()) {
                                        if (!Float.isFinite(x)) return false;
                                    }
                                    return true;
                                })
                        .toList();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            records.add(
                    record(
                            t[0],
                            null,
                            utf8(
                                    "{\"id\": "
                                            + i
                                            + ", \"spec\": \""
                                            + cases.get(i).spec()
                                            + "\", \"features\": "
                                            + ActivationJobITCase.jsonArray(cases.get(i).input())
                                            + "}")));
        }
        kafka.send(records);
        StreamTableEnvironment tables = tables();
        tables.executeSql(
                kafkaTable("vectors", "id INT, spec STRING, features ARRAY<FLOAT>", t[0], true));
        tables.executeSql(kafkaTable("results", "id INT, features ARRAY<FLOAT>", t[1], false));
        StringJoiner byName = new StringJoiner(" ", "CASE spec ", " END");
        for (String spec : new LinkedHashSet<>(cases.stream().map(GoldenCase::spec).toList())) {
            byName.add("WHEN '" + spec + "' THEN " + call(spec));
        }
        tables.executeSql("INSERT INTO results SELECT id, " + byName + " FROM vectors").await();

        List<ConsumerRecord<byte[], byte[]>> out = read(t[1], cases.size());
        assertThat(out).hasSize(cases.size());
        for (ConsumerRecord<byte[], byte[]> r : out) {
            JsonNode j = ActivationJobITCase.JSON.readTree(r.value());
            ActivationJobITCase.assertGolden(
                    cases.get(j.get("id").asInt()), ActivationJobITCase.floats(j.get("features")));
        }
    }

    @Test
    void theJobsF32leTopicsInSqlGivePyTorchsNumbers() throws Exception {
        // every golden vector, NaN and infinities too, as the job's f32le values, keyed by spec and
        // case; one value that is not whole float32s, which 'f32le.ignore-parse-errors' skips
        String[] t = topics("sql-f32le", 1);
        List<GoldenCase> cases = GoldenCase.all().stream().filter(c -> !c.isWindow()).toList();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            float[] x = cases.get(i).input();
            records.add(record(t[0], cases.get(i).spec() + "#" + i, F32le.write(x, 0, x.length)));
        }
        records.add(record(t[0], "relu#-1", new byte[7]));
        kafka.send(records);
        StreamTableEnvironment tables = tables();
        String f32le =
                " (k STRING, features ARRAY<FLOAT>) WITH ('connector' = 'kafka', 'topic' = '%s', "
                        + "'properties.bootstrap.servers' = '"
                        + kafka.bootstrapServers()
                        + "', 'key.format' = 'raw', 'key.fields' = 'k', 'value.format' = 'f32le', "
                        + "'value.fields-include' = 'EXCEPT_KEY'%s)";
        tables.executeSql(
                "CREATE TEMPORARY TABLE vectors"
                        + String.format(
                                f32le,
                                t[0],
                                ", 'value.f32le.ignore-parse-errors' = 'true', "
                                        + "'scan.startup.mode' = 'earliest-offset', "
                                        + "'scan.bounded.mode' = 'latest-offset'"));
        tables.executeSql("CREATE TEMPORARY TABLE results" + String.format(f32le, t[1], ""));
        StringJoiner bySpec = new StringJoiner(" ", "CASE SPLIT_INDEX(k, '#', 0) ", " END");
        for (String spec : new LinkedHashSet<>(cases.stream().map(GoldenCase::spec).toList())) {
            bySpec.add("WHEN '" + spec + "' THEN " + call(spec));
        }
        tables.executeSql("INSERT INTO results SELECT k, " + bySpec + " FROM vectors").await();

        List<ConsumerRecord<byte[], byte[]>> out = read(t[1], cases.size());
        assertThat(out).hasSize(cases.size());
        for (ConsumerRecord<byte[], byte[]> r : out) {
            String key = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
            GoldenCase c = cases.get(Integer.parseInt(key.substring(key.indexOf('#') + 1)));
            ActivationJobITCase.assertGolden(c, F32le.parse(r.value()));
        }
    }

    /**
     * {@code LEAKY_RELU(features, 0.2)}: the function by name, the spec's parameters positional.
     */
    private static String call(String spec) {
        ActivationSpec s = ActivationSpec.parse(spec);
        if (s.activation().functionalName().equals("tanh")) {
            return "ACTIVATE(features, 'tanh')"; // TANH is Flink's own, first in the default module
            // order
        }
        StringJoiner call =
                // quoted: NORMALIZE is a reserved word
                new StringJoiner(
                        ", ", "`" + s.activation().functionalName().toUpperCase() + "`(", ")");
        call.add("features");
        List<ParamDef> defs = s.activation().params();
        for (int i = 0; i < defs.size(); i++) {
            call.add(
                    defs.get(i).isChoice()
                            ? "'" + defs.get(i).choices().get((int) s.value(i)) + "'"
                            : Double.toString(s.value(i)));
        }
        return call.toString();
    }

    @Test
    void windowedSoftmaxInSqlGivesWhatTheJobGivesOnTheSameRecords() throws Exception {
        String[] t = topics("sql-window", 1);
        SplittableRandom rnd = new SplittableRandom(7);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        int n = 60;
        for (int i = 0; i < n; i++) {
            String sensor = "s" + rnd.nextInt(3);
            float[] v = {
                (float) rnd.nextGaussian() * 4,
                (float) rnd.nextGaussian(),
                (float) rnd.nextGaussian() * 20
            };
            records.add(
                    record(
                            t[0],
                            sensor,
                            utf8(
                                    "{\"id\": \"r"
                                            + i
                                            + "\", \"sensor\": \""
                                            + sensor
                                            + "\", \"features\": "
                                            + ActivationJobITCase.jsonArray(v)
                                            + "}")));
        }
        kafka.send(records);

        // the DataStream job: windows per Kafka key
        kafka.createTopics(1, t[1] + "-job", t[1] + "-job-dlq");
        ActivationJobITCase.runJob(
                "--input-topic",
                t[0],
                "--output-topic",
                t[1] + "-job",
                "--activation",
                "log_softmax",
                "--window",
                "count(4)");
        Map<String, float[]> job = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : read(t[1] + "-job", n)) {
            JsonNode j = ActivationJobITCase.JSON.readTree(r.value());
            job.put(j.get("id").asText(), ActivationJobITCase.floats(j.get("features")));
        }

        // the same records in SQL, partitioned by the same key
        StreamTableEnvironment tables = tables();
        tables.executeSql(
                kafkaTable(
                        "readings", "id STRING, sensor STRING, features ARRAY<FLOAT>", t[0], true));
        tables.executeSql(
                kafkaTable(
                        "normalised",
                        "id STRING, sensor STRING, features ARRAY<FLOAT>, window_count BIGINT",
                        t[1],
                        false));
        tables.executeSql(
                        "INSERT INTO normalised SELECT id, sensor, features, window_count FROM WINDOWED_SOFTMAX("
                                + "input => TABLE readings PARTITION BY sensor, window_spec => 'count(4)', activation => 'log_softmax') "
                                + "WHERE dead_letter IS NULL")
                .await();
        Map<String, float[]> sql = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : read(t[1], n)) {
            JsonNode j = ActivationJobITCase.JSON.readTree(r.value());
            sql.put(j.get("id").asText(), ActivationJobITCase.floats(j.get("features")));
        }
        assertThat(sql).hasSize(n).containsOnlyKeys(job.keySet());
        sql.forEach((id, v) -> assertThat(v).as(id).containsExactly(job.get(id)));
    }
}
