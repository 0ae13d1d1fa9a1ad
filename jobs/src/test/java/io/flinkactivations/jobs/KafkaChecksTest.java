package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The probe before the Kafka checks: refused everywhere is said at once, anything else waits. */
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
}
