package io.flinkactivations.jobs.testutils;

import io.flinkactivations.jobs.local.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One real Kafka broker (KRaft, in process) per test class, for tests that run the job as a user
 * runs it (through {@code bin/activations}) or on a MiniCluster ({@link KafkaJobTestBase}). A test
 * that stops the broker sets {@link #kafka} to null.
 */
public abstract class KafkaBrokerTestBase {
    protected static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }
}
