package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkactivations.jobs.testutils.KafkaBrokerTestBase;
import io.flinkactivations.testutils.ScriptRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/activations sql} as a user runs it, on Kafka tables of a real broker: INSERT INTO,
 * EXECUTE STATEMENT SET and queries end with exit code 0 when their jobs end, with a line per
 * INSERT, and the rows in Kafka are the activations'; a failing statement (a missing topic, a type
 * error, an unknown table) is one line and exit code 1.
 */
class SqlScriptIT extends KafkaBrokerTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir Path dir;

    @BeforeAll
    static void readings() throws Exception {
        kafka.createTopics(1, "readings", "relu-out", "softmax-out", "gelu-out");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(reading("a", "[1, -2, 3]"));
        records.add(reading("b", "[0.5, 1]"));
        records.add(reading("c", "[-1, 0, 2, 4]"));
        kafka.send(records);
    }

    private static ProducerRecord<byte[], byte[]> reading(String id, String features) {
        return new ProducerRecord<>(
                "readings",
                id.getBytes(StandardCharsets.UTF_8),
                ("{\"id\": \"" + id + "\", \"features\": " + features + "}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    private String tables(String... names) {
        StringBuilder sql = new StringBuilder();
        for (String name : names) {
            String topic = name.equals("src") ? "readings" : name.replace('_', '-');
            sql.append("CREATE TABLE ")
                    .append(name)
                    .append(" (id STRING, features ARRAY<FLOAT>) WITH ('connector' = 'kafka', ")
                    .append("'topic' = '")
                    .append(topic)
                    .append("', 'properties.bootstrap.servers' = '")
                    .append(kafka.bootstrapServers())
                    .append("', 'format' = 'json'")
                    .append(
                            name.equals("src")
                                    ? ", 'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset'"
                                    : "")
                    .append(");\n");
        }
        return sql.toString();
    }

    private ScriptRun sql(String script, String... flags) throws Exception {
        Path file = Files.writeString(dir.resolve("script.sql"), script);
        List<String> args = new java.util.ArrayList<>(List.of("sql"));
        args.addAll(List.of(flags));
        args.add(file.toString());
        return ScriptRun.run(
                ScriptRun.ROOT.resolve("bin/activations"),
                "",
                TIMEOUT,
                args.toArray(String[]::new));
    }

    private static Map<String, float[]> features(String topic, int expected) {
        Map<String, float[]> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                kafka.read(topic, expected, Duration.ofSeconds(30), Duration.ofSeconds(2))) {
            try {
                JsonNode json = JSON.readTree(r.value());
                float[] f = new float[json.get("features").size()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = json.get("features").get(i).floatValue();
                }
                out.put(json.get("id").asText(), f);
            } catch (Exception e) {
                throw new AssertionError("not JSON in " + topic, e);
            }
        }
        return out;
    }

    /** The command's own lines on the console. */
    private static List<String> sqlLines(String console) {
        return console.lines().filter(l -> l.startsWith("sql: ")).toList();
    }

    @Test
    void aStatementSetAnInsertAndAQueryOnKafkaTablesEndWithExitZero() throws Exception {
        ScriptRun r =
                sql(
                        tables("src", "relu_out", "softmax_out", "gelu_out")
                                + "EXECUTE STATEMENT SET BEGIN\n"
                                + "INSERT INTO relu_out SELECT id, RELU(features) FROM src;\n"
                                + "INSERT INTO softmax_out SELECT id, SOFTMAX(features) FROM src;\n"
                                + "END;\n"
                                + "INSERT INTO gelu_out SELECT id, GELU(features, 'tanh') FROM src;\n"
                                + "SELECT id, SIGMOID(features) FROM src WHERE id = 'a';\n");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.console()).doesNotContain(ScriptRun.STACK_TRACE);
        assertThat(sqlLines(r.out()))
                .containsExactly(
                        "sql: statement 5 (line 5): its job finished writing to "
                                + "default_catalog.default_database.relu_out, "
                                + "default_catalog.default_database.softmax_out (the sink gives no count of the rows)",
                        "sql: statement 6 (line 9): its job finished writing to "
                                + "default_catalog.default_database.gelu_out (the sink gives no count of the rows)");
        assertThat(r.out()).contains("id | EXPR$1", "a | [0.7310586, 0.11920292, 0.95257413]");
        assertThat(r.console()).as("quiet without --verbose").doesNotContain("Activation kernels");

        Map<String, float[]> relu = features("relu-out", 3);
        assertThat(relu).containsOnlyKeys("a", "b", "c");
        assertThat(relu.get("a")).containsExactly(1, 0, 3);
        assertThat(relu.get("c")).containsExactly(0, 0, 2, 4);
        // torch.softmax(torch.tensor([1., -2., 3.]), 0) and torch.nn.functional.gelu(..., 'tanh')
        assertThat(features("softmax-out", 3).get("a"))
                .containsExactly(
                        new float[] {0.11849965f, 0.0058997506f, 0.8756006f},
                        org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(features("gelu-out", 3).get("a"))
                .containsExactly(
                        new float[] {0.841192f, -0.045402307f, 2.9963627f},
                        org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void settingsOpenTheScriptAsInFlinksSqlClient() throws Exception {
        ScriptRun r =
                sql(
                        "SET 'execution.runtime-mode' = 'batch';\n"
                                + "SET 'parallelism.default' = '1';\n"
                                + tables("src")
                                + "SELECT COUNT(*) AS n FROM src;\n"
                                + "SET 'execution.runtime-mode' = 'streaming';\n");
        assertThat(r.exitCode()).as(r.out()).isEqualTo(1);
        assertThat(r.out()).contains("n\n3");
        assertThat(sqlLines(r.err()))
                .containsExactly(
                        "sql: statement 5 (line 5) failed: IllegalArgumentException: "
                                + "execution.runtime-mode is set before the script's first other statement, not later");
    }

    @Test
    void aMissingTopicATypeErrorAndAnUnknownTableAreOneLineAndExitOne() throws Exception {
        ScriptRun missing =
                sql(
                        tables("src").replace("'readings'", "'no-such-topic'")
                                + "SELECT id, RELU(features) FROM src;\n");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.console()).doesNotContain(ScriptRun.STACK_TRACE);
        assertThat(sqlLines(missing.err()))
                .containsExactly(
                        "sql: statement 2 (line 2) failed: UnknownTopicOrPartitionException: "
                                + "This server does not host this topic-partition.");

        ScriptRun typeError = sql(tables("src") + "SELECT GELU(id) FROM src;\n");
        assertThat(typeError.exitCode()).isEqualTo(1);
        assertThat(typeError.console()).doesNotContain(ScriptRun.STACK_TRACE);
        assertThat(sqlLines(typeError.err()))
                .containsExactly(
                        "sql: statement 2 (line 2) failed: ValidationException: "
                                + "GELU takes ARRAY<FLOAT> or ARRAY<DOUBLE>, not STRING; cast it, e.g. CAST(x AS ARRAY<FLOAT>)");

        ScriptRun verbose = sql("SELECT RELU(ARRAY[CAST(-1 AS FLOAT), 2]);\n", "--verbose");
        assertThat(verbose.exitCode()).as(verbose.err()).isZero();
        assertThat(verbose.console()).contains("Activation kernels: vector", "[0.0, 2.0]");
        ScriptRun unknown = sql("SELECT RELU(features) FROM nowhere;\n");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.console()).doesNotContain(ScriptRun.STACK_TRACE);
        assertThat(sqlLines(unknown.err()))
                .singleElement()
                .isEqualTo(
                        "sql: statement 1 (line 1) failed: SqlValidatorException: Object 'nowhere' not found");
    }
}
