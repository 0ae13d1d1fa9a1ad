package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.format.RecordFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class JobOptionsTest {
    static final List<String> REQUIRED =
            List.of(
                    "--bootstrap-servers",
                    "localhost:9092",
                    "--input-topic",
                    "in",
                    "--output-topic",
                    "out",
                    "--activation",
                    "softmax");

    /** The required flags, each replaced where {@code extra} gives it, plus {@code extra}. */
    static JobConfig parse(String... extra) {
        return parse(Map.of(), extra);
    }

    /** As {@link #parse(String...)}, in the environment {@code env}. */
    static JobConfig parse(Map<String, String> env, String... extra) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < REQUIRED.size(); i += 2) {
            String flag = REQUIRED.get(i);
            if (List.of(extra).stream().noneMatch(e -> e.startsWith(flag + "="))) {
                args.add(flag);
                args.add(REQUIRED.get(i + 1));
            }
        }
        args.addAll(List.of(extra));
        JobOptions o = new JobOptions();
        new CommandLine(o).parseArgs(args.toArray(String[]::new));
        return o.validate(env);
    }

    @Test
    void defaults() {
        JobConfig c = parse();
        assertThat(c.dlqTopic()).isEqualTo("out-dlq");
        assertThat(c.format()).isEqualTo(RecordFormat.JSON);
        assertThat(c.exactlyOnce()).isTrue();
        assertThat(c.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.startingOffsets()).isEqualTo("committed");
        assertThat(c.window()).isNull();
        assertThat(c.transactionalIdPrefix()).isEqualTo("flink-activations-flink-activations-out");
    }

    @Test
    void everyFlag() {
        JobConfig c =
                parse(
                        "--input-topic",
                        "in2,in3",
                        "--dlq-topic",
                        "dead",
                        "--window",
                        "sliding(10s, 2s)",
                        "--format",
                        "f32le",
                        "--delivery",
                        "at-least-once",
                        "--checkpoint-interval",
                        "500ms",
                        "--group-id",
                        "g",
                        "--starting-offsets",
                        "latest",
                        "--bounded",
                        "--parallelism",
                        "3",
                        "--max-out-of-orderness",
                        "2s",
                        "--allowed-lateness",
                        "1m",
                        "--max-record-bytes",
                        "100",
                        "--transactional-id-prefix",
                        "tx",
                        "--kafka-property",
                        "security.protocol=SASL_SSL",
                        "--kafka-property",
                        "sasl.jaas.config=secret");
        assertThat(c.inputTopics()).containsExactly("in", "in2", "in3");
        assertThat(c.window().canonical()).isEqualTo("sliding(10s, 2s)");
        assertThat(c.exactlyOnce()).isFalse();
        assertThat(c.bounded()).isTrue();
        assertThat(c.parallelism()).isEqualTo(3);
        assertThat(c.allowedLateness()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.kafkaProperties()).containsEntry("sasl.jaas.config", "secret");
        assertThat(c.describe()).contains("sasl.jaas.config").doesNotContain("secret", "SASL_SSL");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            --activation=swish                  | --activation: Unknown activation 'swish'; did you mean 'hardswish'?
            --activation=sigmod                 | --activation: Unknown activation 'sigmod'; did you mean 'sigmoid'?
            --activation=swash                  | --activation: Unknown activation 'swash'; valid activations: relu
            --window=tumbeling(10s)             | --window: Unknown window 'tumbeling'; did you mean 'tumbling'?
            --activation=relu,--window=count(5) | --window: relu has no step along dim 0, so a window changes nothing
            --activation=batch_norm             | --activation: batch_norm normalises each feature across a window's records, so it needs a window
            --window=tumbling(10)               | --window: Bad size '10': write a whole number with a unit
            --format=csv                        | --format: Unknown format 'csv'; valid formats: json, f32le
            --delivery=exactly-twice            | --delivery: 'exactly-twice' is not valid; use exactly-once or at-least-once
            --checkpoint-interval=soon          | --checkpoint-interval: Bad duration 'soon'
            --starting-offsets=middle           | --starting-offsets: 'middle' is not valid; use earliest, latest or committed
            --output-topic=in                   | must differ from the input topic(s) [in]
            --dlq-topic=out                     | --dlq-topic: must differ from --output-topic (out)
            --parallelism=0                     | --parallelism: must be at least 1, got 0
            --window=count(5),--allowed-lateness=1s | --allowed-lateness: applies to event-time windows, not to count(5)
            --window=sliding(1d, 1s)            | each record would be in 86400 windows, more than 10000; make the slide larger
            --window=tumbling(99999999999999999d) | --window: Bad size '99999999999999999d': too large
            --checkpoint-interval=9999999999999999d | --checkpoint-interval: Bad duration '9999999999999999d': too large
            --restart-strategy=always           | --restart-strategy: Unknown restart strategy 'always'; valid strategies
            --restart-strategy=fixed-delay(-1)  | --restart-strategy: Bad restart attempts '-1'
            --restart-strategy=none(3)          | none takes no parameters
            --restart-strategy=exponential-delay(1m, 1s) | max (PT1S) is shorter than initial (PT1M)
            --check-timeout=0s                  | --check-timeout: must be positive
            --kafka-properties-file=/no/such/file | --kafka-properties-file: cannot read /no/such/file (no such file)
            """)
    void badFlagsSayWhatToFix(String flags, String message) {
        assertThatThrownBy(() -> parse(flags.split(",(?=--)")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void restartStrategiesParseToFlinksSettingsAndBack() {
        for (String spec :
                List.of(
                        "none",
                        "fixed-delay(3, 10s)",
                        "exponential-delay(1s, 1m, unlimited)",
                        "exponential-delay(500ms, 2m, 5)")) {
            assertThat(RestartStrategy.parse(spec).toString()).isEqualTo(spec);
            assertThat(RestartStrategy.parse(RestartStrategy.parse(spec).toString()))
                    .isEqualTo(RestartStrategy.parse(spec));
        }
        assertThat(RestartStrategy.parse("fixed-delay(delay=2s)"))
                .isEqualTo(RestartStrategy.parse("fixed-delay(3, 2s)"));
        // one grammar: the rule and the messages of activation and window specs
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> RestartStrategy.parse("fixed-delay(attempts=3, 2s)"))
                .hasMessageContaining("a positional argument follows a named one");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> RestartStrategy.parse("fixed-delay(delays=2s)"))
                .hasMessageContaining(
                        "Unknown parameter 'delays' for fixed-delay; did you mean 'delay'?");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RestartStrategy.parse("fixed"))
                .hasMessageStartingWith(
                        "Unknown restart strategy 'fixed'; did you mean 'fixed-delay'?");
        Configuration conf = new Configuration();
        RestartStrategy.parse("fixed-delay(4, 2s)").applyTo(conf);
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS))
                .isEqualTo(4);
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(parse().restartStrategy()).isEqualTo(RestartStrategy.CONTINUOUS_DEFAULT);
        assertThat(parse("--bounded").restartStrategy()).isEqualTo(RestartStrategy.BOUNDED_DEFAULT);
        assertThat(parse("--bounded").restartStrategyGiven()).isFalse();
        assertThat(parse("--restart-strategy", "none").restartStrategyGiven()).isTrue();
    }

    @Test
    void kafkaPropertiesComeFromAFileTheEnvironmentAndFlagsAndNoneIsPrinted(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                "# as Kafka's --command-config\nsecurity.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
                        + "sasl.jaas.config=from-the-file\nssl.truststore.location=/etc/ts.p12\n");
        JobConfig c =
                parse(
                        Map.of(
                                "ACTIVATIONS_KAFKA_SASL_JAAS_CONFIG",
                                "from-the-environment",
                                "ACTIVATIONS_KAFKA_SASL_MECHANISM",
                                "SCRAM-SHA-512",
                                "OTHER_VARIABLE",
                                "x"),
                        "--kafka-properties-file",
                        file.toString(),
                        "--kafka-property",
                        "sasl.mechanism=SCRAM-SHA-256");
        assertThat(c.kafkaProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.location", "/etc/ts.p12")
                .containsEntry("sasl.jaas.config", "from-the-environment")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256")
                .doesNotContainKey("variable");
        assertThat(c.toString())
                .contains("sasl.jaas.config")
                .doesNotContain("from-the", "SCRAM", "SASL_SSL");
        assertThat(JobOptions.propertyName("ACTIVATIONS_KAFKA_SSL_KEYSTORE_PASSWORD"))
                .isEqualTo("ssl.keystore.password");
    }

    @Test
    void theRunCommandStopsOnABadFlagBeforeStartingAnything() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new ActivationsCli());
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler(ActivationsCli::badArguments);
        int code =
                cmd.execute(
                        "run",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--input-topic",
                        "in",
                        "--output-topic",
                        "out",
                        "--activation",
                        "leaky_relu(slope=1)");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .contains("run: --activation: Unknown parameter 'slope' for leaky_relu")
                .contains("Try 'activations run --help'");
    }
}
