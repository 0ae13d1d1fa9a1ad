package com.example.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Sensor readings (JSON, topic {@code readings}) through the flink-activations compute core in
 * Kafka Streams: GELU of every reading to {@code streams-readings-gelu}, and each sensor's readings
 * normalised by softmax along dim 0 across 10-second event-time windows to {@code
 * streams-readings-softmax}; readings that cannot be taken go to {@code
 * streams-readings-dead-letters} with a reason.
 *
 * <p>A window is emitted once the newest event time is 2 seconds past its end, or when the input
 * has been idle for 5 seconds (the end of a replay). The application stops once it has read its
 * input and emitted every window.
 *
 * <pre>
 *   mvn -q compile exec:exec -Dbootstrap=localhost:9092
 * </pre>
 */
public final class ReadingsApp {
    static final long WINDOW_MS = 10_000;
    static final long GRACE_MS = 2_000;
    static final long IDLE_MS = 5_000;
    static final ObjectMapper JSON = new ObjectMapper();
    static final CountDownLatch DONE = new CountDownLatch(1);

    /**
     * Tasks (one per input partition) that have read records, and those of them that are idle and
     * flushed.
     */
    static final AtomicInteger READING = new AtomicInteger();

    static final AtomicInteger FLUSHED = new AtomicInteger();

    private ReadingsApp() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sensor-activations-streams");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

        StringSerializer out = new StringSerializer();
        Topology topology =
                new Topology()
                        .addSource(
                                "readings",
                                new StringDeserializer(),
                                new StringDeserializer(),
                                "readings")
                        .addProcessor("activations", ActivationsProcessor::new, "readings")
                        .addStateStore(
                                Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore("windows"),
                                        Serdes.String(),
                                        Serdes.String()),
                                "activations")
                        .addSink("gelu", "streams-readings-gelu", out, out, "activations")
                        .addSink("softmax", "streams-readings-softmax", out, out, "activations")
                        .addSink(
                                "dead-letters",
                                "streams-readings-dead-letters",
                                out,
                                out,
                                "activations");

        try (KafkaStreams streams = new KafkaStreams(topology, props)) {
            streams.start();
            if (!DONE.await(3, TimeUnit.MINUTES)) {
                System.err.println(
                        "streams example: no end of input within 3 minutes; is the broker at "
                                + bootstrap
                                + " up, with topic 'readings'?");
                System.exit(1);
            }
            streams.close(Duration.ofSeconds(30));
        }
        System.out.println("streams example: done");
    }

    /**
     * GELU per reading; windows kept in a state store until they close; dead letters with a reason.
     */
    static final class ActivationsProcessor implements Processor<String, String, String, String> {
        private final ActivationKernel gelu =
                Kernels.get().kernel(ActivationSpec.parse("gelu(approximate=tanh)"));
        private final ActivationKernel softmax =
                Kernels.get().kernel(ActivationSpec.parse("softmax"));
        private ProcessorContext<String, String> context;
        private KeyValueStore<String, String>
                windows; // "W|sensor|start" -> JSON array of readings; "D|sensor" -> dimension
        private long newestEventTime = Long.MIN_VALUE;
        private long lastRecordAt = -1;
        private boolean flushed;

        @Override
        public void init(ProcessorContext<String, String> context) {
            this.context = context;
            this.windows = context.getStateStore("windows");
            context.schedule(
                    Duration.ofSeconds(1),
                    PunctuationType.WALL_CLOCK_TIME,
                    now -> {
                        boolean idle = lastRecordAt >= 0 && now - lastRecordAt >= IDLE_MS;
                        emitWindows(idle ? Long.MAX_VALUE : newestEventTime - GRACE_MS);
                        if (idle && !flushed) {
                            flushed = true;
                            if (FLUSHED.incrementAndGet() == READING.get()) {
                                DONE.countDown();
                            }
                        }
                    });
        }

        @Override
        public void process(Record<String, String> record) {
            if (lastRecordAt < 0) {
                READING.incrementAndGet();
            }
            lastRecordAt = System.currentTimeMillis();
            ObjectNode reading;
            try {
                reading = (ObjectNode) JSON.readTree(record.value());
            } catch (Exception e) { // not JSON, or JSON but not an object
                deadLetter(record, null, "malformed-json", "the value is not a JSON object");
                return;
            }
            JsonNode f = reading.get("features");
            if (f == null || !f.isArray() || !reading.path("ts").canConvertToLong()) {
                deadLetter(
                        record,
                        reading,
                        "missing-features",
                        "a reading needs ts and a features array");
                return;
            }
            if (f.isEmpty()) {
                deadLetter(record, reading, "empty-vector", "the features array is empty");
                return;
            }
            float[] x = new float[f.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) f.get(i).asDouble();
            }
            float[] y = new float[x.length];
            gelu.apply(x, 0, y, 0, x.length);
            context.forward(record.withValue(withFeatures(reading, y).toString()), "gelu");

            String sensor = reading.path("sensor").asText();
            long ts = reading.get("ts").asLong();
            String dimensionKey = "D|" + sensor;
            String dimension = windows.get(dimensionKey);
            if (dimension == null) {
                windows.put(dimensionKey, String.valueOf(x.length));
            } else if (Integer.parseInt(dimension) != x.length) {
                deadLetter(
                        record,
                        reading,
                        "dimension-mismatch",
                        "the vector has "
                                + x.length
                                + " features; this sensor's windows have "
                                + dimension);
                return;
            }
            long start = ts - Math.floorMod(ts, WINDOW_MS);
            if (start + WINDOW_MS + GRACE_MS <= newestEventTime) {
                deadLetter(record, reading, "late", "its window closed before it came");
                return;
            }
            newestEventTime = Math.max(newestEventTime, ts);
            String windowKey = "W|" + sensor + "|" + start;
            ArrayNode members = readArray(windows.get(windowKey));
            members.add(reading);
            windows.put(windowKey, members.toString());
        }

        /** Normalises and forwards every window that ends at or before {@code watermark}. */
        private void emitWindows(long watermark) {
            List<String> closed = new ArrayList<>();
            try (KeyValueIterator<String, String> it = windows.range("W|", "W|\uffff")) {
                while (it.hasNext()) {
                    KeyValue<String, String> w = it.next();
                    long start = Long.parseLong(w.key.substring(w.key.lastIndexOf('|') + 1));
                    if (start + WINDOW_MS <= watermark) {
                        emit(start, readArray(w.value));
                        closed.add(w.key);
                    }
                }
            }
            closed.forEach(windows::delete);
        }

        /**
         * Softmax along dim 0: the window's N readings as an N x D batch, each feature across the
         * N.
         */
        private void emit(long start, ArrayNode members) {
            int n = members.size();
            int d = members.get(0).get("features").size();
            float[] batch = new float[n * d];
            for (int r = 0; r < n; r++) {
                JsonNode f = members.get(r).get("features");
                for (int c = 0; c < d; c++) {
                    batch[r * d + c] = (float) f.get(c).asDouble();
                }
            }
            softmax.applyAlongDim0(batch, 0, batch, 0, n, d);
            for (int r = 0; r < n; r++) {
                float[] row = new float[d];
                System.arraycopy(batch, r * d, row, 0, d);
                ObjectNode out = withFeatures((ObjectNode) members.get(r), row);
                out.put("windowStart", start)
                        .put("windowEnd", start + WINDOW_MS)
                        .put("windowCount", n);
                String sensor = out.path("sensor").asText();
                context.forward(
                        new Record<>(sensor, out.toString(), out.get("ts").asLong()), "softmax");
            }
        }

        private void deadLetter(
                Record<String, String> record, ObjectNode reading, String reason, String message) {
            ObjectNode d = JSON.createObjectNode();
            d.put("reason", reason)
                    .put("message", message)
                    .put("sensor", reading == null ? "" : reading.path("sensor").asText())
                    .put("value", record.value());
            context.forward(record.withValue(d.toString()), "dead-letters");
        }

        private static ObjectNode withFeatures(ObjectNode reading, float[] features) {
            ObjectNode out = reading.deepCopy();
            ArrayNode a = out.putArray("features");
            for (float v : features) {
                a.add(v);
            }
            return out;
        }

        private static ArrayNode readArray(String json) {
            try {
                return json == null ? JSON.createArrayNode() : (ArrayNode) JSON.readTree(json);
            } catch (Exception e) {
                throw new IllegalStateException(
                        "the window store holds what this processor wrote", e);
            }
        }
    }
}
