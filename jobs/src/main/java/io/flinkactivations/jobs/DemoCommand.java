package io.flinkactivations.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.jobs.local.EmbeddedKafka;
import io.flinkactivations.kafka.DeadLetterSerializationSchema;
import io.flinkactivations.sql.ActivationsModule;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/activations demo}: everything in one JVM, nothing to install: a real Kafka broker
 * (KRaft), the job on a local Flink MiniCluster, sample vectors in, results side by side out.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Starts a Kafka broker (KRaft) in this JVM, creates the topics, runs the job on a local Flink MiniCluster "
                    + "with the tutorial's activations, a windowed softmax and min-max scaling, produces sample vectors (the tutorial's "
                    + "[1, -2, 3, -5] among them, and one bad record), prints inputs and outputs side by side, and stops.",
            ""
        })
@Internal
public final class DemoCommand implements Callable<Integer> {
    static final List<String> ACTIVATIONS =
            List.of("relu", "leaky_relu(0.2)", "sigmoid", "tanh", "softmax");
    static final String WINDOW_ACTIVATION = "softmax";
    static final String WINDOW_NORMALIZATION = "min_max";
    static final String WINDOW = "count(3)";

    @Option(
            names = "--vectors",
            defaultValue = "5",
            paramLabel = "N",
            description =
                    "How many random vectors to send besides the tutorial's (default: ${DEFAULT-VALUE}).")
    int vectors;

    private final PrintStream out = System.out;
    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (vectors < 0 || vectors > 10_000) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--vectors: use 0 to 10000, got " + vectors);
        }
        long t0 = System.nanoTime();
        progress("starting a Kafka broker in this JVM (KRaft) ...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            progress("broker ready at " + kafka.bootstrapServers() + " (" + seconds(t0) + ")");
            List<String> outTopics = new ArrayList<>();
            for (int i = 0; i < ACTIVATIONS.size(); i++) {
                outTopics.add("demo-out-" + i);
            }
            List<String> all =
                    new ArrayList<>(
                            List.of(
                                    "demo-vectors",
                                    "demo-readings",
                                    "demo-windowed",
                                    "demo-windowed-dlq",
                                    "demo-scaled",
                                    "demo-scaled-dlq"));
            outTopics.forEach(
                    t -> {
                        all.add(t);
                        all.add(t + "-dlq");
                    });
            kafka.createTopics(1, all.toArray(String[]::new));
            progress(
                    "topics created: demo-vectors -> "
                            + ACTIVATIONS
                            + ", demo-readings -> "
                            + WINDOW_ACTIVATION
                            + " and "
                            + WINDOW_NORMALIZATION
                            + " over "
                            + WINDOW
                            + "; each with a -dlq topic");

            List<float[]> inputs = new ArrayList<>();
            inputs.add(new float[] {1, -2, 3, -5});
            SplittableRandom rnd = new SplittableRandom(42);
            for (int i = 0; i < vectors; i++) {
                inputs.add(
                        new float[] {
                            round(rnd.nextGaussian() * 3),
                            round(rnd.nextGaussian() * 3),
                            round(rnd.nextGaussian() * 3),
                            round(rnd.nextGaussian() * 3)
                        });
            }
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                records.add(
                        record(
                                "demo-vectors",
                                "v" + i,
                                "{\"id\":\"v"
                                        + i
                                        + "\",\"features\":"
                                        + array(inputs.get(i))
                                        + "}"));
            }
            records.add(
                    record("demo-vectors", "bad", "{\"id\":\"bad\",\"features\":[1, \"two\"]}"));
            float[][] readings = {
                {20.5f, 0.1f},
                {21.0f, 0.3f},
                {23.5f, 0.2f},
                {19.0f, 0.9f},
                {19.5f, 0.8f},
                {25.0f, 0.1f}
            };
            for (int i = 0; i < readings.length; i++) {
                String key = i < 3 ? "sensor-a" : "sensor-b";
                records.add(
                        record(
                                "demo-readings",
                                key,
                                "{\"id\":\"r"
                                        + i
                                        + "\",\"sensor\":\""
                                        + key
                                        + "\",\"features\":"
                                        + array(readings[i])
                                        + "}"));
            }
            kafka.send(records);
            progress(
                    "produced "
                            + inputs.size()
                            + " vectors (the tutorial's [1, -2, 3, -5] first), 1 bad record and "
                            + readings.length
                            + " sensor readings");

            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            for (int i = 0; i < ACTIVATIONS.size(); i++) {
                JobConfig c =
                        config(kafka, "demo-vectors", outTopics.get(i), ACTIVATIONS.get(i), null);
                ActivationPipeline.build(
                        env,
                        c,
                        ActivationPipeline.SinkLimits.defaults(c),
                        "p" + i + "-",
                        java.util.function.UnaryOperator.identity());
            }
            JobConfig windowed =
                    config(kafka, "demo-readings", "demo-windowed", WINDOW_ACTIVATION, WINDOW);
            ActivationPipeline.build(
                    env,
                    windowed,
                    ActivationPipeline.SinkLimits.defaults(windowed),
                    "w-",
                    java.util.function.UnaryOperator.identity());
            JobConfig scaled =
                    config(kafka, "demo-readings", "demo-scaled", WINDOW_NORMALIZATION, WINDOW);
            ActivationPipeline.build(
                    env,
                    scaled,
                    ActivationPipeline.SinkLimits.defaults(scaled),
                    "n-",
                    java.util.function.UnaryOperator.identity());
            long t1 = System.nanoTime();
            progress(
                    "running the job on a local Flink MiniCluster (bounded: it stops at the end of the input; "
                            + Kernels.get().description()
                            + ") ...");
            env.execute("flink-activations demo");
            progress(
                    "job finished in "
                            + seconds(t1)
                            + "; reading the results with a read_committed consumer");

            printVectors(kafka, inputs, outTopics);
            printWindowed(kafka, readings);
            List<ConsumerRecord<byte[], byte[]>> dead =
                    kafka.read("demo-out-0-dlq", 1, Duration.ofSeconds(30), Duration.ZERO);
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                out.printf(
                        "%nDead letter (demo-out-0-dlq): %s  reason=%s: %s%n",
                        new String(r.value(), StandardCharsets.UTF_8),
                        header(r, DeadLetterSerializationSchema.HEADER_REASON),
                        header(r, DeadLetterSerializationSchema.HEADER_EXCEPTION_MESSAGE));
            }
            printSql(kafka);
            progress("done in " + seconds(t0) + "; stopping the broker");
        }
        return 0;
    }

    private void printVectors(EmbeddedKafka kafka, List<float[]> inputs, List<String> outTopics)
            throws Exception {
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            String[] row = new String[ACTIVATIONS.size() + 1];
            row[0] = format(inputs.get(i));
            rows.put("v" + i, row);
        }
        for (int a = 0; a < ACTIVATIONS.size(); a++) {
            for (ConsumerRecord<byte[], byte[]> r :
                    kafka.read(
                            outTopics.get(a),
                            inputs.size(),
                            Duration.ofSeconds(30),
                            Duration.ZERO)) {
                JsonNode j = json.readTree(r.value());
                rows.get(j.get("id").asText())[a + 1] = format(j.get("features"));
            }
        }
        List<String> header = new ArrayList<>(List.of("input"));
        ACTIVATIONS.forEach(s -> header.add(ActivationSpec.parse(s).canonical()));
        out.println();
        out.println("Per vector (topic demo-vectors; one output topic per activation):");
        table(header, new ArrayList<>(rows.values()));
    }

    private void printWindowed(EmbeddedKafka kafka, float[][] readings) throws Exception {
        List<ConsumerRecord<byte[], byte[]>> results =
                kafka.read("demo-windowed", readings.length, Duration.ofSeconds(30), Duration.ZERO);
        Map<String, String> scaled = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r :
                kafka.read("demo-scaled", readings.length, Duration.ofSeconds(30), Duration.ZERO)) {
            JsonNode j = json.readTree(r.value());
            scaled.put(j.get("id").asText(), format(j.get("features")));
        }
        List<String[]> rows = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : results) {
            JsonNode j = json.readTree(r.value());
            int i = Integer.parseInt(j.get("id").asText().substring(1));
            rows.add(
                    new String[] {
                        j.get("sensor").asText(),
                        format(readings[i]),
                        format(j.get("features")),
                        scaled.get(j.get("id").asText()),
                        "count " + j.get("window").get("count").asInt()
                    });
        }
        rows.sort(java.util.Comparator.comparing((String[] r) -> r[0]));
        out.println();
        out.println(
                "Windowed "
                        + WINDOW_ACTIVATION
                        + " over "
                        + WINDOW
                        + " per key (topic demo-readings): each feature "
                        + "normalised across the window's records");
        table(
                List.of(
                        "key",
                        "input",
                        WINDOW_ACTIVATION + " along dim 0",
                        WINDOW_NORMALIZATION + " along dim 0",
                        "window"),
                rows);
    }

    /**
     * The same topic through Flink SQL: a Kafka table and one query with the activations'
     * functions.
     */
    private void printSql(EmbeddedKafka kafka) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.loadModule(ActivationsModule.IDENTIFIER, ActivationsModule.INSTANCE);
        tables.executeSql(
                "CREATE TABLE demo_vectors (id STRING, features ARRAY<FLOAT>) WITH ("
                        + "'connector' = 'kafka', 'topic' = 'demo-vectors', 'properties.bootstrap.servers' = '"
                        + kafka.bootstrapServers()
                        + "', 'scan.startup.mode' = 'earliest-offset', "
                        + "'scan.bounded.mode' = 'latest-offset', 'format' = 'json', 'json.ignore-parse-errors' = 'true')");
        out.println();
        out.println(
                "Flink SQL on the same topic (LOAD MODULE activations; a field that does not parse is NULL):");
        out.println("  " + SQL_QUERY);
        List<String[]> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tables.executeSql(SQL_QUERY).collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                String[] row = new String[r.getArity()];
                for (int i = 0; i < row.length; i++) {
                    Object v = r.getField(i);
                    row[i] = v instanceof Float[] a ? format(a) : String.valueOf(v);
                }
                rows.add(row);
            }
        }
        table(List.of("id", "gelu_tanh", "softmax"), rows);
    }

    static final String SQL_QUERY =
            "SELECT id, GELU(features, 'tanh') AS gelu_tanh, SOFTMAX(features) AS softmax FROM demo_vectors";

    /** A SQL array: its numbers as the job's outputs are printed, NULL elements as NULL. */
    private static String format(Float[] v) {
        StringJoiner s = new StringJoiner(", ", "[", "]");
        for (Float x : v) {
            s.add(x == null ? "NULL" : number(x));
        }
        return s.toString();
    }

    private void table(List<String> header, List<String[]> rows) {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c] == null ? 7 : r[c].length());
            }
        }
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < width.length; c++) {
            line.append(String.format("%-" + (width[c] + 2) + "s", header.get(c)));
        }
        out.println(line.toString().stripTrailing());
        for (String[] r : rows) {
            line.setLength(0);
            for (int c = 0; c < width.length; c++) {
                line.append(
                        String.format(
                                "%-" + (width[c] + 2) + "s", r[c] == null ? "missing" : r[c]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static JobConfig config(
            EmbeddedKafka kafka, String in, String outTopic, String activation, String window) {
        JobOptions o = new JobOptions();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--input-topic",
                                in,
                                "--output-topic",
                                outTopic,
                                "--activation",
                                activation,
                                "--bounded",
                                "--starting-offsets",
                                "earliest",
                                "--checkpoint-interval",
                                "1s",
                                "--group-id",
                                "demo-" + outTopic,
                                "--parallelism",
                                "1"));
        if (window != null) {
            args.addAll(List.of("--window", window));
        }
        new CommandLine(o).parseArgs(args.toArray(String[]::new));
        return o.validate();
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(
                topic,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    private static float round(double v) {
        return Math.round(v * 10) / 10f;
    }

    private static String array(float[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(v[i]);
        }
        return sb.append(']').toString();
    }

    /** Numbers as PyTorch prints them: 4 decimals, or scientific when tiny. */
    static String format(float[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(number(v[i]));
        }
        return sb.append(']').toString();
    }

    private static String format(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = array.get(i);
            v[i] = n.isNumber() ? n.floatValue() : Float.parseFloat(n.asText());
        }
        return format(v);
    }

    private static String number(float x) {
        if (x != 0 && Math.abs(x) < 1e-3) {
            return String.format(Locale.ROOT, "%.4e", x);
        }
        return String.format(Locale.ROOT, "%.4f", x);
    }

    private void progress(String message) {
        out.println("[demo] " + message);
        out.flush();
    }

    private static String seconds(long since) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - since) / 1e9);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
