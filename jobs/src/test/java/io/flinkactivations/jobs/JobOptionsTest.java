package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.format.RecordFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class JobOptionsTest {
    static final List<String> REQUIRED = List.of("--bootstrap-servers", "localhost:9092", "--input-topic", "in",
            "--output-topic", "out", "--activation", "softmax");

    /** The required flags, each replaced where {@code extra} gives it, plus {@code extra}. */
    static JobConfig parse(String... extra) {
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
        return o.validate();
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
        JobConfig c = parse("--input-topic", "in2,in3", "--dlq-topic", "dead", "--window", "sliding(10s, 2s)",
                "--format", "f32le", "--delivery", "at-least-once", "--checkpoint-interval", "500ms", "--group-id", "g",
                "--starting-offsets", "latest", "--bounded", "--parallelism", "3", "--max-out-of-orderness", "2s",
                "--allowed-lateness", "1m", "--max-record-bytes", "100", "--transactional-id-prefix", "tx",
                "--kafka-property", "security.protocol=SASL_SSL", "--kafka-property", "sasl.jaas.config=secret");
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
    @CsvSource(delimiter = '|', textBlock = """
            --activation=swish                  | --activation: Unknown activation 'swish'; valid activations: relu
            --activation=relu,--window=count(5) | --window: relu is element-wise, so a window changes nothing
            --window=tumbling(10)               | --window: Bad size '10': write a whole number with a unit
            --format=csv                        | --format: Unknown format 'csv'; valid formats: json, f32le
            --delivery=exactly-twice            | --delivery: 'exactly-twice' is not valid; use exactly-once or at-least-once
            --checkpoint-interval=soon          | --checkpoint-interval: Bad duration 'soon'
            --starting-offsets=middle           | --starting-offsets: 'middle' is not valid; use earliest, latest or committed
            --output-topic=in                   | must differ from the input topic(s) [in]
            --dlq-topic=out                     | --dlq-topic: must differ from --output-topic (out)
            --parallelism=0                     | --parallelism: must be at least 1, got 0
            --window=count(5),--allowed-lateness=1s | --allowed-lateness: applies to event-time windows, not to count(5)
            """)
    void badFlagsSayWhatToFix(String flags, String message) {
        assertThatThrownBy(() -> parse(flags.split(",")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void theRunCommandStopsOnABadFlagBeforeStartingAnything() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new ActivationsCli());
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler(ActivationsCli::badArguments);
        int code = cmd.execute("run", "--bootstrap-servers", "localhost:1", "--input-topic", "in", "--output-topic",
                "out", "--activation", "leaky_relu(slope=1)");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("run: --activation: Unknown parameter 'slope' for leaky_relu")
                .contains("Try 'activations run --help'");
    }
}
