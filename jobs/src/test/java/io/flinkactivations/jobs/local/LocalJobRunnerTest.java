package io.flinkactivations.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.jobs.RestartStrategy;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.IntCounter;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.JobException;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.SerializedThrowable;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The one line the console shows for a failure, and one for each failure of a job. */
class LocalJobRunnerTest {

    /** Fails every record, so that each attempt of the job fails as soon as it starts. */
    private static final class AlwaysFails implements MapFunction<Integer, Integer> {
        @Override
        public Integer map(Integer value) {
            throw new IllegalStateException("injected failure");
        }
    }

    /** Fails every record of the job's first attempt only, so that its restart succeeds. */
    private static final class FailsOnTheFirstAttempt extends RichMapFunction<Integer, Integer> {
        private final IntCounter mapped = new IntCounter();

        @Override
        public void open(OpenContext context) {
            getRuntimeContext().addAccumulator("mapped", mapped);
        }

        @Override
        public Integer map(Integer value) {
            if (getRuntimeContext().getTaskInfo().getAttemptNumber() == 0) {
                throw new IllegalStateException("injected failure");
            }
            mapped.add(1);
            return value;
        }
    }

    /**
     * Runs 1, 2, 3 through {@code map} on a per-job MiniCluster with the {@code restarts} strategy,
     * at parallelism 1; the console's lines go to {@code console}.
     */
    private static JobExecutionResult run(
            String restarts, MapFunction<Integer, Integer> map, StringWriter console)
            throws Exception {
        RestartStrategy strategy = RestartStrategy.parse(restarts);
        Configuration conf = new Configuration();
        conf.set(RestOptions.PORT, 0);
        strategy.applyTo(conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.fromData(1, 2, 3).map(map).print();
        return LocalJobRunner.run(env, conf, "test", strategy.toString(), new PrintWriter(console));
    }

    private static String restartLine(String restarts) {
        return "run: the job failed and restarts (restart strategy "
                + RestartStrategy.parse(restarts)
                + "): IllegalStateException: injected failure";
    }

    @Test
    void aJobThatSucceedsAfterARestartTellsThatRestartOnceAndReturnsItsResult() throws Exception {
        // the job ends a few ms after its one failure, inside one poll of the history: the
        // failure is told when the job ends, not dropped with the cluster
        StringWriter console = new StringWriter();

        JobExecutionResult result =
                run("fixed-delay(3, 1ms)", new FailsOnTheFirstAttempt(), console);

        assertThat(result.<Integer>getAccumulatorResult("mapped")).isEqualTo(3);
        assertThat(console.toString().lines()).containsExactly(restartLine("fixed-delay(3, 1ms)"));
    }

    @Test
    void failuresMillisecondsApartAreEachToldAndTheLastEndsTheRun() {
        // the attempts fail within a few ms of each other, well inside one poll of the history:
        // the two restarts and the failure that ends the job are all in it when the job ends
        String restarts = "fixed-delay(2, 1ms)";
        StringWriter console = new StringWriter();

        assertThatThrownBy(() -> run(restarts, new AlwaysFails(), console)) // no record gets out
                .isInstanceOf(LocalJobRunner.Failed.class)
                .hasMessage(
                        "the job failed and will not restart (restart strategy "
                                + RestartStrategy.parse(restarts)
                                + "): IllegalStateException: injected failure");
        assertThat(console.toString().lines())
                .containsExactly(restartLine(restarts), restartLine(restarts));
    }

    @Test
    void aFailureIsItsInnermostCauseAsClassAndMessageOnOneLine() {
        Throwable failure =
                new JobException(
                        "Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy",
                        new RuntimeException(
                                "Failed to get metadata for topics [in].",
                                new TimeoutException(
                                        "Timed out waiting for a node assignment.\nCall: listNodes")));
        assertThat(LocalJobRunner.cause(failure))
                .isEqualTo(
                        "TimeoutException: Timed out waiting for a node assignment. Call: listNodes");
        // as Flink ships failures between processes
        assertThat(LocalJobRunner.cause(new SerializedThrowable(failure)))
                .isEqualTo(
                        "TimeoutException: Timed out waiting for a node assignment. Call: listNodes");
    }

    @Test
    void aPrintedStackTraceGivesItsLastCausedByLine() {
        String trace =
                String.join(
                        "\n",
                        "org.apache.flink.util.FlinkRuntimeException: Failed to list subscribed topic partitions due to ",
                        "\tat org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumerator.check(X.java:331)",
                        "Caused by: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException:"
                                + " Timed out waiting for a node assignment. Call: listNodes",
                        "\tat java.base/java.util.concurrent.CompletableFuture.reportGet(CompletableFuture.java:396)",
                        "Caused by: org.apache.flink.util.SerializedThrowable: org.apache.kafka.common.errors.TimeoutException:"
                                + " Timeout expired after 5000ms while awaiting InitProducerId",
                        "\t... 9 more");
        assertThat(LocalJobRunner.rootCause("org.apache.flink.util.FlinkRuntimeException", trace))
                .isEqualTo(
                        "TimeoutException: Timeout expired after 5000ms while awaiting InitProducerId");
        assertThat(
                        LocalJobRunner.rootCause(
                                "java.lang.IllegalStateException",
                                "java.lang.IllegalStateException: injected failure\n\tat a.B.c(B.java:1)"))
                .isEqualTo("IllegalStateException: injected failure");
        assertThat(LocalJobRunner.rootCause("x.Y", "x".repeat(1000))).hasSize(400).endsWith("...");
    }
}
