package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The probe before the Kafka checks: refused everywhere is said at once, anything else waits; and
 * the checks against a listener that never answers end at {@code --check-timeout}.
 */
class KafkaChecksTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void everyAddressRefusingIsSaidAtOnce() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // free again once closed: nothing listens there
        }
        long t0 = System.nanoTime();
        assertThat(KafkaChecks.everyAddressRefuses("localhost:" + closed, TIMEOUT))
                .isEqualTo("connection refused");
        assertThat(
                        KafkaChecks.everyAddressRefuses(
                                "localhost:" + closed + ", 127.0.0.1:" + closed, TIMEOUT))
                .isEqualTo("connection refused");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5);
    }

    @Test
    void oneListeningAddressIsEnoughToGoOn() throws Exception {
        try (ServerSocket open = new ServerSocket(0)) {
            assertThat(
                            KafkaChecks.everyAddressRefuses(
                                    "localhost:1,localhost:" + open.getLocalPort(), TIMEOUT))
                    .isNull();
        }
        assertThat(KafkaChecks.everyAddressRefuses("not an address", TIMEOUT))
                .as("Kafka's client says what is wrong with it")
                .isNull();
    }

    @Test
    void aSilentListenerEndsTheChecksAtTheCheckTimeout() throws Exception {
        // accepts connections and never speaks Kafka
        try (ServerSocket silent = new ServerSocket(0)) {
            JobConfig c =
                    JobOptionsTest.parse(
                            "--bootstrap-servers=localhost:" + silent.getLocalPort(),
                            "--check-timeout=2s");
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> KafkaChecks.run(c))
                    .isInstanceOf(JobCannotRunException.class)
                    .hasMessageStartingWith("no answer from Kafka at localhost:")
                    .hasMessageContaining("within 2 s");
            // the admin client's own close() would wait on for the calls still in flight
            assertThat((System.nanoTime() - t0) / 1e9)
                    .as("the check timeout, then a close that does not wait")
                    .isLessThan(4.0);
        }
    }
}
