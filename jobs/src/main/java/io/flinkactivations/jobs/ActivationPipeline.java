package io.flinkactivations.jobs;

import io.flinkactivations.kafka.DeadLetterSerializationSchema;
import io.flinkactivations.kafka.FeatureVector;
import io.flinkactivations.kafka.FeatureVectorActivations;
import io.flinkactivations.kafka.FeatureVectorDeserializationSchema;
import io.flinkactivations.kafka.FeatureVectorSerializationSchema;
import io.flinkactivations.kafka.TopicLimits;
import io.flinkactivations.stream.ActivationResult;
import io.flinkactivations.stream.EventTime;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The job's data path, one straight line: Kafka bytes -> FeatureVector (parsed once) -> activation
 * or windowed softmax -> Kafka, with bad, late and mismatched records to the dead-letter topic with
 * their original bytes.
 */
@Internal
public final class ActivationPipeline {
    /** Kafka's default cap on transaction timeouts (transaction.max.timeout.ms) is 15 minutes. */
    static final String TRANSACTION_TIMEOUT_MS = String.valueOf(Duration.ofMinutes(15).toMillis());

    private ActivationPipeline() {}

    /**
     * What the output and dead-letter topics take (see {@link KafkaChecks}, which reads them from
     * Kafka).
     */
    public record SinkLimits(TopicLimits output, TopicLimits deadLetters) {
        /** Kafka's default topic settings, with the job's producer settings. */
        static SinkLimits defaults(JobConfig c) {
            TopicLimits limits = TopicLimits.of(Map.of(), producerProperties(c.kafkaProperties()));
            return new SinkLimits(limits, limits);
        }
    }

    /** Builds the job into {@code env}, for topics with Kafka's default settings. */
    public static void build(StreamExecutionEnvironment env, JobConfig c) {
        build(env, c, SinkLimits.defaults(c));
    }

    /** Builds the job into {@code env}, for topics that take {@code limits}. */
    public static void build(StreamExecutionEnvironment env, JobConfig c, SinkLimits limits) {
        build(env, c, limits, "", UnaryOperator.identity());
    }

    /**
     * Builds the job into {@code env}. {@code limits}: what its topics take. {@code uidPrefix}
     * tells apart several pipelines in one job (the demo); {@code beforeActivation} sees the parsed
     * records before the operators (tests inject failures there).
     */
    static void build(
            StreamExecutionEnvironment env,
            JobConfig c,
            SinkLimits limits,
            String uidPrefix,
            UnaryOperator<DataStream<FeatureVector>> beforeActivation) {
        configure(env, c);
        DeadLetterSerializationSchema deadLetters =
                new DeadLetterSerializationSchema(c.dlqTopic(), limits.deadLetters());
        FeatureVectorSerializationSchema results =
                new FeatureVectorSerializationSchema(
                        c.outputTopic(), c.format(), c.activation(), limits.output(), deadLetters);
        KafkaSourceBuilder<FeatureVector> source =
                source(
                        c,
                        new FeatureVectorDeserializationSchema(c.format(), c.maxRecordBytes())
                                .withResults(results));
        WatermarkStrategy<FeatureVector> watermarks =
                c.window() != null && c.window().isTimeBased()
                        ? EventTime.ignoringFuture(
                                WatermarkStrategy.<FeatureVector>forBoundedOutOfOrderness(
                                                c.maxOutOfOrderness())
                                        .withTimestampAssigner((v, t) -> v.timestamp())
                                        .withIdleness(Duration.ofSeconds(30)),
                                c.maxTimeAhead())
                        : WatermarkStrategy.noWatermarks();
        DataStream<FeatureVector> records =
                beforeActivation.apply(
                        env.fromSource(source.build(), watermarks, "kafka " + c.inputTopics())
                                .uid(uidPrefix + "kafka-source"));

        ActivationResult<FeatureVector, FeatureVector> result =
                c.window() == null
                        ? FeatureVectorActivations.map(
                                records, c.activation(), uidPrefix + "activation-map")
                        : FeatureVectorActivations.windowedSoftmax(records)
                                .activation(c.activation())
                                .window(c.window())
                                .allowedLateness(c.allowedLateness())
                                .maxTimeAhead(c.maxTimeAhead())
                                .uidPrefix(uidPrefix + "windowed-softmax")
                                .build();

        result.output()
                .sinkTo(sink(c, results, "out"))
                .name("kafka " + c.outputTopic())
                .uid(uidPrefix + "kafka-sink");
        result.deadLetters()
                .sinkTo(sink(c, deadLetters, "dlq"))
                .name("dead letters " + c.dlqTopic())
                .uid(uidPrefix + "kafka-dlq-sink");
    }

    /** The job's parallelism, checkpointing and object reuse. */
    public static void configure(StreamExecutionEnvironment env, JobConfig c) {
        if (c.parallelism() != null) {
            env.setParallelism(c.parallelism());
        }
        env.enableCheckpointing(
                c.checkpointInterval().toMillis(),
                c.exactlyOnce() ? CheckpointingMode.EXACTLY_ONCE : CheckpointingMode.AT_LEAST_ONCE);
        env.getConfig().enableObjectReuse(); // our functions never keep or mutate their inputs
    }

    /**
     * The job's Kafka source with {@code deserializer}: topics, group, offsets, read_committed,
     * bounds.
     */
    public static <T> KafkaSourceBuilder<T> source(
            JobConfig c, KafkaRecordDeserializationSchema<T> deserializer) {
        KafkaSourceBuilder<T> source =
                KafkaSource.<T>builder()
                        .setBootstrapServers(c.bootstrapServers())
                        .setTopics(c.inputTopics())
                        .setGroupId(c.groupId())
                        .setStartingOffsets(startingOffsets(c.startingOffsets()))
                        .setDeserializer(deserializer)
                        .setProperties(c.kafkaProperties())
                        .setProperty("isolation.level", "read_committed");
        if (c.bounded()) {
            source.setBounded(OffsetsInitializer.latest());
        }
        return source;
    }

    /**
     * The sinks' producer settings where the user sets none (--kafka-property wins). batch.size:
     * Kafka's 16 KB holds about 20 JSON records of 64 features, and the broker and the producers'
     * network threads spent about twice the CPU per record on such batches as on 128 KB ones
     * (bench-job's CPU table, two --quick JSON runs, JDK 17: the broker 4.61 / 4.98 us per record
     * on the ceiling's / the job's side with 16 KB, 2.39 / 2.33 with 128 KB; the JSON map job
     * 134,680 -> 180,832 records/s). A batch is sent when full or after linger.ms (Kafka's 5 ms),
     * so a bigger one adds no wait; each partition being written holds one, out of buffer.memory
     * (32 MB by default).
     */
    static final Map<String, String> PRODUCER_DEFAULTS =
            Map.of(
                    "batch.size",
                    String.valueOf(128 * 1024),
                    "transaction.timeout.ms",
                    TRANSACTION_TIMEOUT_MS);

    /**
     * The sinks' producer properties: {@link #PRODUCER_DEFAULTS} with the user's Kafka properties
     * over them (the job benchmark gives its ceiling's producers and load generator the same).
     */
    public static Map<String, String> producerProperties(Map<?, ?> user) {
        Map<String, String> props = new LinkedHashMap<>(PRODUCER_DEFAULTS);
        user.forEach((key, value) -> props.put(String.valueOf(key), String.valueOf(value)));
        return props;
    }

    /**
     * The job's Kafka sink with {@code schema}: delivery guarantee, producer settings,
     * transactional ids.
     */
    public static <T> KafkaSink<T> sink(
            JobConfig c, KafkaRecordSerializationSchema<T> schema, String suffix) {
        Properties props = new Properties();
        props.putAll(producerProperties(c.kafkaProperties()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(c.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(schema)
                .setDeliveryGuarantee(
                        c.exactlyOnce()
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(c.transactionalIdPrefix() + "-" + suffix)
                .build();
    }

    private static OffsetsInitializer startingOffsets(String s) {
        return switch (s) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            default -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }
}
