package io.flinkactivations.jobs;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.format.RecordFormat;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.flink.annotation.Internal;

/**
 * The job's validated settings (see {@link JobOptions}). {@code restartStrategy} is the one given,
 * or the default for the run ({@code restartStrategyGiven} false), which a cluster's own setting
 * may replace. The Kafka properties may hold secrets: nothing here prints their values.
 */
@Internal
public record JobConfig(
        String bootstrapServers,
        List<String> inputTopics,
        String outputTopic,
        String dlqTopic,
        ActivationSpec activation,
        WindowSpec window,
        RecordFormat format,
        boolean exactlyOnce,
        Duration checkpointInterval,
        String groupId,
        String startingOffsets,
        boolean bounded,
        Integer parallelism,
        Duration maxOutOfOrderness,
        Duration maxTimeAhead,
        Duration allowedLateness,
        int maxRecordBytes,
        String transactionalIdPrefix,
        Properties kafkaProperties,
        RestartStrategy restartStrategy,
        boolean restartStrategyGiven,
        Duration checkTimeout) {

    /** One line for the log; Kafka property values are left out (they may hold secrets). */
    public String describe() {
        return String.format(
                "activation=%s window=%s format=%s delivery=%s in=%s out=%s dlq=%s group=%s offsets=%s%s"
                        + " checkpoints=%s kafka-properties=%s",
                activation,
                window == null ? "none" : window,
                format,
                exactlyOnce ? "exactly-once" : "at-least-once",
                inputTopics,
                outputTopic,
                dlqTopic,
                groupId,
                startingOffsets,
                bounded ? " bounded" : "",
                checkpointInterval,
                kafkaProperties.stringPropertyNames());
    }

    /** As {@link #describe()}: a record's own toString would print the Kafka properties' values. */
    @Override
    public String toString() {
        return describe();
    }
}
