package io.flinkactivations.jobs;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.SpecDuration;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.format.RecordFormat;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.annotation.Internal;
import picocli.CommandLine.Option;

/**
 * The job's flags, shared by {@code bin/activations run} and the deployable jar's main class, with
 * their defaults and checks in one place. {@link #validate()} turns them into a {@link JobConfig}
 * or fails with a message that says what to fix.
 */
@Internal
public final class JobOptions {

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers to connect to.")
    String bootstrapServers;

    @Option(
            names = "--input-topic",
            required = true,
            split = ",",
            paramLabel = "TOPIC",
            description =
                    "Topic(s) to read feature vectors from; repeat the flag or separate with commas.")
    List<String> inputTopics = new ArrayList<>();

    @Option(
            names = "--output-topic",
            required = true,
            paramLabel = "TOPIC",
            description = "Topic for results.")
    String outputTopic;

    @Option(
            names = "--dlq-topic",
            paramLabel = "TOPIC",
            description =
                    "Topic for dead letters (bad, late or mismatched records). Default: the output topic + '-dlq'.")
    String dlqTopic;

    @Option(
            names = {"-a", "--activation"},
            required = true,
            paramLabel = "SPEC",
            description =
                    "The activation, e.g. relu, leaky_relu(0.2), gelu(approximate=tanh), softmax.")
    String activation;

    @Option(
            names = {"-w", "--window"},
            paramLabel = "SPEC",
            description =
                    "Normalise the softmax family along dim 0 across each key's window: tumbling(10s), "
                            + "sliding(10s, 1s), session(30s) or count(100). Without it, each vector is processed alone.")
    String window;

    @Option(
            names = "--format",
            defaultValue = "json",
            paramLabel = "json|f32le",
            description = "Wire format of values, in and out (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--delivery",
            defaultValue = "exactly-once",
            paramLabel = "exactly-once|at-least-once",
            description =
                    "Delivery guarantee of the output and dead-letter topics (default: ${DEFAULT-VALUE}).")
    String delivery;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "10s",
            paramLabel = "DURATION",
            description =
                    "How often to checkpoint; exactly-once output becomes visible at each checkpoint (default: ${DEFAULT-VALUE}).")
    String checkpointInterval;

    @Option(
            names = "--group-id",
            defaultValue = "flink-activations",
            paramLabel = "ID",
            description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(
            names = "--starting-offsets",
            defaultValue = "committed",
            paramLabel = "earliest|latest|committed",
            description =
                    "Where to start reading when there is no checkpoint: committed falls back to earliest (default: ${DEFAULT-VALUE}).")
    String startingOffsets;

    @Option(
            names = "--bounded",
            description =
                    "Stop at the offsets that are the latest when the job starts, then finish cleanly.")
    boolean bounded;

    @Option(
            names = {"-p", "--parallelism"},
            paramLabel = "N",
            description = "Parallelism of the job (default: the cluster's).")
    Integer parallelism;

    @Option(
            names = "--max-out-of-orderness",
            defaultValue = "1s",
            paramLabel = "DURATION",
            description =
                    "How far event time may go backwards before a record counts as late (default: ${DEFAULT-VALUE}).")
    String maxOutOfOrderness;

    @Option(
            names = "--max-time-ahead",
            defaultValue = "1h",
            paramLabel = "DURATION",
            description =
                    "How far ahead of this machine's clock a record's event time may be in a time window;"
                            + " one further ahead is a dead letter (future-timestamp) and does not move the"
                            + " watermark (default: ${DEFAULT-VALUE}, as Kafka's own limit).")
    String maxTimeAhead;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "0ms",
            paramLabel = "DURATION",
            description =
                    "Keep windows open this long after they fire; later records are dead letters (default: ${DEFAULT-VALUE}).")
    String allowedLateness;

    @Option(
            names = "--max-record-bytes",
            defaultValue = "1048576",
            paramLabel = "BYTES", // 1 MiB
            description =
                    "Larger values are dead letters with reason oversized (default: ${DEFAULT-VALUE}).")
    int maxRecordBytes;

    @Option(
            names = "--transactional-id-prefix",
            paramLabel = "PREFIX",
            description =
                    "Prefix of the Kafka transactional ids for exactly-once; must be stable across restarts and "
                            + "unique per job (default: flink-activations-<group id>-<output topic>).")
    String transactionalIdPrefix;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description =
                    "A Kafka client property for the source and the sinks; repeatable. Values are never logged; "
                            + "keep secrets out of the command line with --kafka-properties-file or "
                            + ENV_PREFIX
                            + "* variables.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(
            names = "--kafka-properties-file",
            paramLabel = "FILE",
            description =
                    "Kafka client properties (e.g. security.protocol, sasl.jaas.config) from a file in Java "
                            + "properties format, as Kafka's tools take --command-config. Environment variables "
                            + ENV_PREFIX
                            + "<NAME> (e.g. "
                            + ENV_PREFIX
                            + "SASL_JAAS_CONFIG for sasl.jaas.config) override it, "
                            + "--kafka-property overrides both.")
    Path kafkaPropertiesFile;

    @Option(
            names = "--restart-strategy",
            paramLabel = "SPEC",
            description =
                    "What the job does when it fails: exponential-delay(initial, max, attempts), "
                            + "fixed-delay(attempts, delay) or none (default: exponential-delay(1s, 1m, unlimited); "
                            + "with --bounded fixed-delay(3, 5s); under flink run, the cluster's setting).")
    String restartStrategy;

    @Option(
            names = "--check-timeout",
            defaultValue = "30s",
            paramLabel = "DURATION",
            description =
                    "How long the checks before the start (brokers, topics, permissions) wait for Kafka "
                            + "(default: ${DEFAULT-VALUE}).")
    String checkTimeout;

    /** The prefix of environment variables that hold Kafka client properties. */
    public static final String ENV_PREFIX = "ACTIVATIONS_KAFKA_";

    /**
     * Checks every flag, with Kafka properties from this process's environment; see {@link
     * #validate(Map)}.
     */
    public JobConfig validate() {
        return validate(System.getenv());
    }

    /**
     * Checks every flag; the exception message names the flag and what to fix. Kafka properties
     * come from the file, then the {@link #ENV_PREFIX} variables of {@code env}, then the flags.
     */
    public JobConfig validate(Map<String, String> env) {
        ActivationSpec spec;
        try {
            spec = ActivationSpec.parse(activation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--activation: " + e.getMessage());
        }
        WindowSpec windowSpec = null;
        if (window != null) {
            try {
                windowSpec = WindowSpec.parse(window);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--window: " + e.getMessage());
            }
            try {
                spec.checkForWindow();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--window: " + e.getMessage());
            }
        } else {
            try {
                spec.checkForMap();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--activation: " + e.getMessage() + "; give --window");
            }
        }
        RecordFormat recordFormat;
        try {
            recordFormat = RecordFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format: " + e.getMessage());
        }
        boolean exactlyOnce =
                switch (delivery.toLowerCase(Locale.ROOT)) {
                    case "exactly-once" -> true;
                    case "at-least-once" -> false;
                    default ->
                            throw new IllegalArgumentException(
                                    "--delivery: '"
                                            + delivery
                                            + "' is not valid; use exactly-once or at-least-once");
                };
        Duration checkpoint = duration("--checkpoint-interval", checkpointInterval);
        Duration outOfOrder = duration("--max-out-of-orderness", maxOutOfOrderness);
        Duration ahead = duration("--max-time-ahead", maxTimeAhead);
        Duration lateness = duration("--allowed-lateness", allowedLateness);
        String offsets = startingOffsets.toLowerCase(Locale.ROOT);
        if (!List.of("earliest", "latest", "committed").contains(offsets)) {
            throw new IllegalArgumentException(
                    "--starting-offsets: '"
                            + startingOffsets
                            + "' is not valid; use earliest, latest or committed");
        }
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("--bootstrap-servers: give at least one HOST:PORT");
        }
        List<String> inputs =
                inputTopics.stream().map(String::trim).filter(t -> !t.isEmpty()).toList();
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("--input-topic: give at least one topic");
        }
        String dlq = dlqTopic == null ? outputTopic + "-dlq" : dlqTopic;
        if (inputs.contains(outputTopic) || inputs.contains(dlq)) {
            throw new IllegalArgumentException(
                    "--output-topic/--dlq-topic: must differ from the input topic(s) "
                            + inputs
                            + ", or the job would read its own output");
        }
        if (dlq.equals(outputTopic)) {
            throw new IllegalArgumentException(
                    "--dlq-topic: must differ from --output-topic (" + outputTopic + ")");
        }
        if (parallelism != null && parallelism < 1) {
            throw new IllegalArgumentException(
                    "--parallelism: must be at least 1, got " + parallelism);
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "--max-record-bytes: must be positive, got " + maxRecordBytes);
        }
        if (windowSpec != null && !windowSpec.isTimeBased() && !lateness.isZero()) {
            throw new IllegalArgumentException(
                    "--allowed-lateness: applies to event-time windows, not to " + windowSpec);
        }
        Properties props = kafkaProperties(env);
        String prefix =
                transactionalIdPrefix != null
                        ? transactionalIdPrefix
                        : "flink-activations-" + groupId + "-" + outputTopic;
        RestartStrategy restart;
        try {
            restart =
                    restartStrategy != null
                            ? RestartStrategy.parse(restartStrategy)
                            : bounded
                                    ? RestartStrategy.BOUNDED_DEFAULT
                                    : RestartStrategy.CONTINUOUS_DEFAULT;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--restart-strategy: " + e.getMessage());
        }
        Duration timeout = duration("--check-timeout", checkTimeout);
        if (timeout.toMillis() < 1) {
            throw new IllegalArgumentException(
                    "--check-timeout: must be positive, got " + checkTimeout);
        }
        return new JobConfig(
                bootstrapServers,
                inputs,
                outputTopic,
                dlq,
                spec,
                windowSpec,
                recordFormat,
                exactlyOnce,
                checkpoint,
                groupId,
                offsets,
                bounded,
                parallelism,
                outOfOrder,
                ahead,
                lateness,
                maxRecordBytes,
                prefix,
                props,
                restart,
                restartStrategy != null,
                timeout);
    }

    /** The Kafka client properties: the file's, then the environment's, then the flags'. */
    private Properties kafkaProperties(Map<String, String> env) {
        Properties props = new Properties();
        if (kafkaPropertiesFile != null) {
            try (Reader in = Files.newBufferedReader(kafkaPropertiesFile, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--kafka-properties-file: cannot read "
                                + kafkaPropertiesFile
                                + " ("
                                + (e instanceof NoSuchFileException
                                        ? "no such file"
                                        : e.getClass().getSimpleName())
                                + ")");
            }
        }
        env.forEach(
                (name, value) -> {
                    if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                        props.setProperty(propertyName(name), value);
                    }
                });
        kafkaProperties.forEach(props::setProperty);
        return props;
    }

    /** {@code ACTIVATIONS_KAFKA_SASL_JAAS_CONFIG} -> {@code sasl.jaas.config}. */
    static String propertyName(String envName) {
        return envName.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private static Duration duration(String flag, String value) {
        try {
            return SpecDuration.parse(value, "duration");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }
}
