package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class ActivationPipelineTest {
    @Test
    void sinksBatchIn128KbAndTimeOutTransactionsAtKafkasCapUnlessTheUserSaysOtherwise() {
        Properties defaults = ActivationPipeline.producerProperties(JobOptionsTest.parse());
        assertThat(defaults.getProperty("batch.size")).isEqualTo("131072");
        assertThat(defaults.getProperty("transaction.timeout.ms")).isEqualTo("900000");

        Properties set = ActivationPipeline.producerProperties(JobOptionsTest.parse(
                "--kafka-property", "batch.size=16384", "--kafka-property", "linger.ms=20",
                "--kafka-property", "transaction.timeout.ms=60000"));
        assertThat(set.getProperty("batch.size")).isEqualTo("16384");
        assertThat(set.getProperty("linger.ms")).isEqualTo("20");
        assertThat(set.getProperty("transaction.timeout.ms")).isEqualTo("60000");
    }
}
