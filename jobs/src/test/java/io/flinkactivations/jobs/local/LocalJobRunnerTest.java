package io.flinkactivations.jobs.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.runtime.JobException;
import org.apache.flink.util.SerializedThrowable;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The one line the console shows for a failure. */
class LocalJobRunnerTest {

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
