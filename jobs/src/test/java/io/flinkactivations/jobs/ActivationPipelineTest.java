package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ActivationPipelineTest {
    @Test
    void sinksBatchIn128KbAndTimeOutTransactionsAtKafkasCapUnlessTheUserSaysOtherwise() {
        Map<String, String> defaults =
                ActivationPipeline.producerProperties(JobOptionsTest.parse().kafkaProperties());
        assertThat(defaults)
                .containsOnly(
                        entry("batch.size", "131072"), entry("transaction.timeout.ms", "900000"));

        Map<String, String> set =
                ActivationPipeline.producerProperties(
                        JobOptionsTest.parse(
                                        "--kafka-property",
                                        "batch.size=16384",
                                        "--kafka-property",
                                        "linger.ms=20",
                                        "--kafka-property",
                                        "transaction.timeout.ms=60000")
                                .kafkaProperties());
        assertThat(set)
                .containsOnly(
                        entry("batch.size", "16384"),
                        entry("linger.ms", "20"),
                        entry("transaction.timeout.ms", "60000"));
    }
}
