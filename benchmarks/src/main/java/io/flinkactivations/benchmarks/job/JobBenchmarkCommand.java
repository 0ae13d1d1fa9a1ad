package io.flinkactivations.benchmarks.job;

import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.format.F32le;
import io.flinkactivations.format.RecordFormat;
import io.flinkactivations.jobs.ActivationPipeline;
import io.flinkactivations.jobs.ActivationsCli;
import io.flinkactivations.jobs.JobConfig;
import io.flinkactivations.jobs.JobOptions;
import io.flinkactivations.jobs.local.EmbeddedKafka;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/bench-job}: the job end to end against a real local broker (KRaft, in this JVM) on a
 * local MiniCluster, next to the ceiling: plain Kafka consumer-to-producer copies of the same
 * records, one per partition as the job's parallelism (no Flink, no compute), and a pass-through:
 * the job's Kafka source and sink with nothing between them (Flink's own cost, without the format
 * or the compute). Beside them the JVM peers on the same records and op at at-least-once ({@link
 * Peers}): plain Kafka clients with Jackson or a float loop, and Kafka Streams {@code mapValues}.
 * Throughput at full load comes from the broker's append times on the output topic, past the first
 * fifth of the run, after one unreported warm-up run of the ceiling, the map job and each peer per
 * format; the ceiling, the map at at-least-once (the target) and the peers are each the median of
 * {@code --rounds} runs taken in turns, the other rows one run; latency (produce to read_committed
 * consume) at {@code --latency-load} (half) of that load, from a settled start. Per format, a table
 * follows of where the CPU went per record in the ceiling's and the map's measured runs ({@link
 * ThreadCpuAccount}).
 */
@Command(
        name = "bench-job",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmarks the job end to end against a real local Kafka broker and prints a table.",
            ""
        })
@Internal
public final class JobBenchmarkCommand implements Callable<Integer> {
    /** Entry point of {@code bin/bench-job}. */
    public static void main(String[] args) {
        System.exit(ActivationsCli.commandLine(new JobBenchmarkCommand()).execute(args));
    }

    // 1,000,000: runs of 200,000 JSON records lasted 1-2 s, mostly job start-up and JIT, and their
    // rates were not steady state (the same build: JSON pass-through 1.20x of the ceiling at
    // 200,000,
    // 0.92x at 1,000,000; f32le ceiling 350k records/s at 800,000, 469k at 4,000,000)
    @Option(
            names = "--records",
            defaultValue = "1000000",
            description =
                    "Records per JSON throughput run, 4x that for f32le (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(
            names = "--dimension",
            defaultValue = "64",
            description = "Features per record (default: ${DEFAULT-VALUE}).")
    int dimension;

    @Option(
            names = "--latency-seconds",
            defaultValue = "10",
            description = "Length of each latency run (default: ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(
            names = "--latency-load",
            defaultValue = "0.5",
            description =
                    "The latency runs' load, as a fraction of the full-load rate of the same row (default: ${DEFAULT-VALUE}, half).")
    double latencyLoad;

    // 5: in two JDK 17 runs of one build an hour apart, the f32le map read 0.86x and 0.64x of the
    // ceiling with medians of three; a single slow or fast spell moves a median of five less
    @Option(
            names = "--rounds",
            defaultValue = "5",
            description =
                    "Runs of the ceiling and of the map at at-least-once, taken in turns; each row is their median (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--quick", description = "At-least-once only (no exactly-once runs).")
    boolean quick;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description =
                    "A Kafka client property for the job's and the ceiling's clients alike (e.g. batch.size=262144); repeatable.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(
            names = "--broker-dir",
            paramLabel = "DIR",
            description =
                    "Where the benchmark's broker keeps its logs, deleted at the end (default: /dev/shm, a file "
                            + "system in memory, if it has room for a run's topics; else the temporary directory).")
    Path brokerDir;

    @Option(
            names = "--formats",
            split = ",",
            defaultValue = "json,f32le",
            description = "Record formats to run, of json and f32le (default: ${DEFAULT-VALUE}).")
    List<String> formats;

    private final AtomicInteger topicIds = new AtomicInteger();
    private EmbeddedKafka kafka;
    private ThreadCpuAccount cpu;

    record Row(
            String what,
            RecordFormat format,
            String delivery,
            double recordsPerSecond,
            double ceiling,
            String p50,
            String p99) {}

    @Override
    public Integer call() throws Exception {
        List<RecordFormat> runFormats = new ArrayList<>();
        for (String format : formats) {
            try {
                runFormats.add(RecordFormat.parse(format)); // the job's own --format parser
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--formats: " + e.getMessage());
            }
        }
        requireThat(
                records >= 1_000,
                "--records: " + records + " is too few to measure; give at least 1000");
        requireThat(dimension >= 1, "--dimension: " + dimension + "; give at least 1 feature");
        requireThat(
                rounds >= 1 && rounds % 2 == 1,
                "--rounds: " + rounds + "; give an odd number, so that the median is a run");
        requireThat(
                latencySeconds >= 1, "--latency-seconds: " + latencySeconds + "; give at least 1");
        requireThat(
                latencyLoad > 0 && latencyLoad <= 1,
                "--latency-load: "
                        + latencyLoad
                        + "; give a fraction of the full load, above 0 and at most 1");
        Path logs = brokerLogs();
        System.out.printf(
                "machine: %d cores, %s, %s, heap %d MB (%s); %s; %d JSON / %d f32le records of %d features;"
                        + " broker logs in %s%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.arch"),
                "Java " + System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20,
                collectors(),
                Kernels.get().description(),
                records,
                records(RecordFormat.F32LE),
                dimension,
                logs == null ? System.getProperty("java.io.tmpdir") : logs);
        List<Row> rows = new ArrayList<>();
        Map<RecordFormat, ThreadCpuAccount.Usage[]> cpuPerFormat = new LinkedHashMap<>();
        try (EmbeddedKafka k = EmbeddedKafka.start(logs)) {
            kafka = k;
            cpu = new ThreadCpuAccount(); // the threads alive now are the broker's
            for (RecordFormat format : runFormats) {
                // warm-up, not reported: the JIT compiles Kafka's client, Flink's runtime and the
                // format's
                // code before the first measured run, as JMH's warm-up iterations do; the first run
                // of a
                // JVM otherwise pays for all of it (JSON map at-least-once: 0.49x of the ceiling
                // cold, 0.60x warm)
                ceiling(format);
                throughput(format, "at-least-once", MAP_OP, null);
                plainClients(format);
                kafkaStreams(format);
                // rates swing 10-30 % between runs on a shared machine: the ceiling and the target
                // row
                // (the map at at-least-once) are each the median of --rounds runs, taken in turns
                // so that
                // a slow spell of the machine falls on both
                double[] ceilings = new double[rounds];
                double[] maps = new double[rounds];
                double[] plain = new double[rounds];
                double[] streams = new double[rounds];
                ThreadCpuAccount.Usage[] cpuOf = {
                    ThreadCpuAccount.Usage.none(), ThreadCpuAccount.Usage.none()
                };
                cpuPerFormat.put(format, cpuOf);
                for (int i = 0; i < rounds; i++) {
                    Run ceilingRun = ceiling(format);
                    Run mapRun = throughput(format, "at-least-once", MAP_OP, null);
                    Run plainRun = plainClients(format);
                    Run streamsRun = kafkaStreams(format);
                    ceilings[i] = ceilingRun.rate();
                    maps[i] = mapRun.rate();
                    plain[i] = plainRun.rate();
                    streams[i] = streamsRun.rate();
                    cpuOf[0] = cpuOf[0].plus(ceilingRun.cpu());
                    cpuOf[1] = cpuOf[1].plus(mapRun.cpu());
                    int n = records(format);
                    System.out.printf(
                            Locale.ROOT,
                            "[bench] round %d %s: ceiling %.0f, map at-least-once %.0f records/s;"
                                    + " CPU per record: ceiling %.2f us (broker %.2f), map %.2f us (broker %.2f)%n",
                            i + 1,
                            format,
                            ceilings[i],
                            maps[i],
                            ceilingRun.cpu().totalMicrosPerRecord(n),
                            ceilingRun.cpu().microsPerRecord(ThreadCpuAccount.Part.BROKER, n),
                            mapRun.cpu().totalMicrosPerRecord(n),
                            mapRun.cpu().microsPerRecord(ThreadCpuAccount.Part.BROKER, n));
                    System.out.printf(
                            Locale.ROOT,
                            "[bench] round %d %s peers: plain clients %.0f, Kafka Streams %.0f records/s;"
                                    + " CPU per record: plain clients %.2f us, Kafka Streams %.2f us%n",
                            i + 1,
                            format,
                            plain[i],
                            streams[i],
                            plainRun.cpu().totalMicrosPerRecord(n),
                            streamsRun.cpu().totalMicrosPerRecord(n));
                }
                double ceiling = median(ceilings);
                double map = median(maps);
                // each round's two runs share the machine's spell of the moment: the median of the
                // rounds'
                // own ratios leaves a slow spell out where the ratio of the two medians can mix
                // them
                double[] ratios = new double[rounds];
                StringBuilder each = new StringBuilder();
                for (int i = 0; i < rounds; i++) {
                    ratios[i] = maps[i] / ceilings[i];
                    each.append(i == 0 ? "" : ", ")
                            .append(String.format(Locale.ROOT, "%.2f", ratios[i]));
                }
                System.out.printf(
                        Locale.ROOT,
                        "[bench] %s map at-least-once / ceiling by round: %s; median %.2f"
                                + " (the table's ratio is of the two medians: %.2f)%n",
                        format,
                        each,
                        median(ratios),
                        map / ceiling);
                double plainMedian = median(plain);
                double streamsMedian = median(streams);
                double[] overPeer = new double[rounds];
                StringBuilder eachOverPeer = new StringBuilder();
                for (int i = 0; i < rounds; i++) {
                    overPeer[i] = maps[i] / Math.max(plain[i], streams[i]);
                    eachOverPeer
                            .append(i == 0 ? "" : ", ")
                            .append(String.format(Locale.ROOT, "%.2f", overPeer[i]));
                }
                System.out.printf(
                        Locale.ROOT,
                        "[bench] %s map at-least-once / best JVM peer by round: %s; median %.2f"
                                + " (of the medians: %.2f x plain clients, %.2f x Kafka Streams)%n",
                        format,
                        eachOverPeer,
                        median(overPeer),
                        map / plainMedian,
                        map / streamsMedian);
                rows.add(
                        new Row(
                                "ceiling: consumer -> producer copy",
                                format,
                                "-",
                                ceiling,
                                ceiling,
                                "-",
                                "-"));
                rows.add(
                        new Row(
                                format == RecordFormat.JSON
                                        ? "peer: plain clients, Jackson"
                                        : "peer: plain clients, float loop",
                                format,
                                "at-least-once",
                                plainMedian,
                                ceiling,
                                "-",
                                "-"));
                rows.add(
                        new Row(
                                "peer: Kafka Streams mapValues",
                                format,
                                "at-least-once",
                                streamsMedian,
                                ceiling,
                                "-",
                                "-"));
                double passThrough = flinkPassThrough(format);
                rows.add(
                        new Row(
                                "Flink pass-through: source -> sink, no parsing",
                                format,
                                "at-least-once",
                                passThrough,
                                ceiling,
                                "-",
                                "-"));
                System.out.printf(
                        "[bench] Flink pass-through %s: %.0f records/s%n", format, passThrough);
                for (String delivery :
                        quick
                                ? List.of("at-least-once")
                                : List.of("at-least-once", "exactly-once")) {
                    for (String[] op :
                            List.of(
                                    new String[] {MAP_OP, null},
                                    new String[] {"softmax", "count(100)"})) {
                        boolean target = op[1] == null && delivery.equals("at-least-once");
                        double rate =
                                target ? map : throughput(format, delivery, op[0], op[1]).rate();
                        Latency lat = latency(format, delivery, op[0], op[1], rate * latencyLoad);
                        String name = op[1] == null ? "map " + op[0] : op[0] + " over " + op[1];
                        rows.add(
                                new Row(
                                        name,
                                        format,
                                        delivery,
                                        rate,
                                        ceiling,
                                        ms(lat.p50()),
                                        ms(lat.p99())));
                        System.out.printf(
                                Locale.ROOT,
                                "[bench] %s %s %s: %.0f records/s; p50 %s, p99 %s at %.0f records/s"
                                        + " (p50 of the first second's records %s, of the last second's %s)%n",
                                name,
                                format,
                                delivery,
                                rate,
                                ms(lat.p50()),
                                ms(lat.p99()),
                                rate * latencyLoad,
                                ms(lat.firstSecondP50()),
                                ms(lat.lastSecondP50()));
                        if (lat.unread() > 0) {
                            System.out.printf(
                                    "[bench] %s %s %s: %d measured records had no output read by the deadline,"
                                            + " left out of the percentiles%n",
                                    name, format, delivery, lat.unread());
                        }
                    }
                }
            }
        }
        System.out.println();
        String load =
                latencyLoad == 0.5
                        ? "half load"
                        : String.format(Locale.ROOT, "%.2f of full load", latencyLoad);
        System.out.println(
                "| pipeline | format | delivery | records/s (full load) | of ceiling | p50 latency | p99 latency ("
                        + load
                        + ") |");
        System.out.println("| --- | --- | --- | ---: | ---: | ---: | ---: |");
        for (Row r : rows) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %s | %s | %,.0f | %.2f | %s | %s |%n",
                    r.what(),
                    r.format(),
                    r.delivery(),
                    r.recordsPerSecond(),
                    r.recordsPerSecond() / r.ceiling(),
                    r.p50(),
                    r.p99());
        }
        cpuPerFormat.forEach(this::printCpu);
        return 0;
    }

    /**
     * Where the CPU went per record in the ceiling's and the target row's measured runs (whole
     * runs, job start included): the gap between the two is what the job costs beyond moving
     * records.
     */
    private void printCpu(RecordFormat format, ThreadCpuAccount.Usage[] usage) {
        double records = (double) rounds * records(format);
        System.out.println();
        System.out.printf(
                "CPU time per record, %s, in microseconds over all threads (the %d measured runs of each):%n",
                format, rounds);
        System.out.println();
        System.out.println("| threads | ceiling | map " + MAP_OP + " at-least-once |");
        System.out.println("| --- | ---: | ---: |");
        for (ThreadCpuAccount.Part part : ThreadCpuAccount.Part.values()) {
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %.2f | %.2f |%n",
                    part.description,
                    usage[0].microsPerRecord(part, records),
                    usage[1].microsPerRecord(part, records));
        }
        System.out.printf(
                Locale.ROOT,
                "| total | %.2f | %.2f |%n",
                usage[0].totalMicrosPerRecord(records),
                usage[1].totalMicrosPerRecord(records));
    }

    /** A throughput run's rate and the CPU time it took. */
    record Run(double rate, ThreadCpuAccount.Usage cpu) {}

    private void requireThat(boolean valid, String message) {
        if (!valid) {
            throw new CommandLine.ParameterException(new CommandLine(this), message);
        }
    }

    /**
     * Where the broker keeps its logs: --broker-dir, or /dev/shm if it has room for a run's input
     * and output topics (deleted after each run) and a GB to spare, or null for the temporary
     * directory. In memory, the machine's disk is not part of the benchmark: on disk, the kernel
     * wrote a run's gigabytes of logs back while the runs went on (100-700 MB/s out in vmstat), and
     * the JSON map's rounds ran at 148-185k records/s in two JDK 17 runs of the same build,
     * 203-216k in memory.
     */
    private Path brokerLogs() throws IOException {
        if (brokerDir != null) {
            requireThat(
                    Files.isDirectory(brokerDir) && Files.isWritable(brokerDir),
                    "--broker-dir: " + brokerDir + " is not a writable directory");
            return brokerDir;
        }
        Path shm = Path.of("/dev/shm");
        long runBytes =
                2
                        * Math.max(
                                (long) records * (12L * dimension + 100),
                                (long) records(RecordFormat.F32LE)
                                        * (4L * dimension
                                                + 100)); // input and output, with overhead
        return Files.isDirectory(shm)
                        && Files.isWritable(shm)
                        && Files.getFileStore(shm).getUsableSpace() > runBytes + (1L << 30)
                ? shm
                : null;
    }

    /**
     * The JVM's garbage collectors, as it names them (the heap's sizing moved the rows: see
     * bin/activations).
     */
    private static String collectors() {
        return String.join(
                ", ",
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .map(GarbageCollectorMXBean::getName)
                        .toList());
    }

    /** The map op of the throughput rows. */
    private static final String MAP_OP = "leaky_relu(0.2)";

    /**
     * The {@code activation} field the job writes for {@link #MAP_OP}, which the peers write too.
     */
    private static final String MAP_OP_CANONICAL = ActivationSpec.parse(MAP_OP).canonical();

    private static double median(double[] runs) {
        double[] sorted = runs.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The job's parallelism, the ceiling's copy threads and the input topics' partitions. */
    private static final int PARALLELISM = 2;

    /** Keys the records go round in the throughput runs and in a window's latency run. */
    private static final int KEYS = 16;

    /**
     * Records per throughput run: f32le runs 4x as many, as its records are about a quarter of
     * JSON's bytes and go about 3x as fast; 200,000 of them took half a second, shorter than one
     * checkpoint interval, and their rates swung from 0.67x to 1.04x of the ceiling between runs.
     */
    private int records(RecordFormat format) {
        return format == RecordFormat.F32LE ? records * 4 : records;
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f ms", v);
    }

    private byte[] value(RecordFormat format, long id, SplittableRandom rnd) {
        float[] f = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            f[i] = (float) (rnd.nextGaussian() * 3);
        }
        if (format == RecordFormat.F32LE) {
            return F32le.write(f, 0, f.length);
        }
        StringBuilder sb = new StringBuilder("{\"id\":").append(id).append(",\"features\":[");
        for (int i = 0; i < dimension; i++) {
            sb.append(i == 0 ? "" : ",").append(f[i]);
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An input record with key {@code key}, in partition {@code key % PARALLELISM}: each source
     * reader gets the same share of the load. (By the keys' hash, 10 of the 16 keys went to one
     * partition, and the last quarter of a run had one reader busy and the other done, in the job
     * and the ceiling alike.) A key stays in one partition, so its records keep their order.
     */
    private static ProducerRecord<byte[], byte[]> input(String topic, long key, byte[] value) {
        return new ProducerRecord<>(
                topic,
                (int) (key % PARALLELISM),
                ByteBuffer.allocate(8).putLong(key).array(),
                value);
    }

    private String[] topics(String name) throws Exception {
        String base = "bench-" + name + "-" + topicIds.incrementAndGet();
        kafka.createTopics(PARALLELISM, base + "-in");
        // the broker's append time on the output measures processing throughput
        kafka.createTopic(base + "-out", 2, Map.of("message.timestamp.type", "LogAppendTime"));
        kafka.createTopics(1, base + "-out-dlq");
        return new String[] {base + "-in", base + "-out"};
    }

    /**
     * 1,024 distinct values, made once: the load generator should not compete with the job for CPU.
     */
    private byte[][] pool(RecordFormat format) {
        SplittableRandom rnd = new SplittableRandom(1);
        byte[][] pool = new byte[1024][];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = value(format, i, rnd);
        }
        return pool;
    }

    private void fill(String topic, RecordFormat format) throws Exception {
        byte[][] pool = pool(format);
        try (KafkaProducer<byte[], byte[]> p = kafka.producer()) {
            for (long i = 0, n = records(format); i < n; i++) {
                p.send(input(topic, i % KEYS, pool[(int) (i % pool.length)]));
            }
            p.flush();
        }
    }

    /**
     * Records per second on the run's output topic at steady state: from the append of the record
     * at 20 % of the run (by append time) to the last one. The first fifth is left out for the
     * ceiling and the job alike: it is JIT warm-up (the job's JSON parser and float writer start
     * interpreted) and start-up. Then deletes the run's topics (see {@link #delete}).
     */
    private double appendRate(String[] t, int expected) throws Exception {
        long[] appended;
        try {
            appended = appendTimes(t[1], expected, Duration.ofMinutes(5));
        } finally {
            delete(t);
        }
        return rate(appended);
    }

    /** The steady-state rate of a run's append times: see {@link #appendRate}. */
    private static double rate(long[] appended) {
        Arrays.sort(appended);
        int from = appended.length / 5;
        return (appended.length - 1 - from)
                * 1000.0
                / Math.max(1, appended[appended.length - 1] - appended[from]);
    }

    /**
     * The append times of {@code topic}'s records (at least {@code expected}), and only those: the
     * records themselves (up to 4,000,000, about 2 GB with their objects) kept until read through
     * survived into the old generation, and the full collections that freed them stopped later
     * runs.
     */
    private long[] appendTimes(String topic, int expected, Duration timeout) {
        LongStream.Builder times = LongStream.builder();
        int n = kafka.read(topic, expected, timeout, Duration.ZERO, r -> times.add(r.timestamp()));
        if (n < expected) {
            throw new IllegalStateException(topic + ": " + n + " of " + expected + " records");
        }
        return times.build().toArray();
    }

    /**
     * Deletes a run's topics once measured. A full run writes tens of GB to the broker's logs (JSON
     * ~18 GB, f32le more); kept, it filled the page cache with dirty pages that the kernel wrote
     * back during later runs (a later run's broker waits on that), so each run now starts from the
     * same empty broker.
     */
    private void delete(String[] t) throws Exception {
        kafka.deleteTopics(t[0], t[1], t[1] + "-dlq");
    }

    /**
     * The ceiling: per input partition, as the job's source readers, a plain Kafka copy in two
     * threads with at most two polled batches between them, the structure of Flink's Kafka source
     * (a fetcher thread, a queue of two batches, the task thread): one thread polls, the other
     * sends to the output. (One thread doing both was no ceiling: once the broker no longer wrote
     * back earlier runs' logs, the job's pass-through ran at 1.22x of it on JSON and 1.39x on
     * f32le; polls and sends took turns where Flink overlaps them. Before that, one copy thread for
     * both partitions: 1.43x.)
     */
    private Run ceiling(RecordFormat format) throws Exception {
        String[] t = topics("ceiling-" + format);
        fill(t[0], format);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ThreadCpuAccount.Usage used =
                cpu.measure(
                                () -> {
                                    copy(t, deadline, failure, "ceiling", UnaryOperator.identity());
                                    return null;
                                })
                        .usage();
        if (failure.get() != null) {
            throw new IllegalStateException("the ceiling's copy failed", failure.get());
        }
        return new Run(appendRate(t, records(format)), used);
    }

    /**
     * The ceiling's copy threads, per input partition a fetch and a copy thread; returns when they
     * are done.
     */
    private void copy(
            String[] t,
            long deadline,
            AtomicReference<Throwable> failure,
            String name,
            UnaryOperator<byte[]> transform)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int partition = 0; partition < PARALLELISM; partition++) {
            TopicPartition in = new TopicPartition(t[0], partition);
            BlockingQueue<List<ConsumerRecord<byte[], byte[]>>> batches =
                    new ArrayBlockingQueue<>(2);
            threads.add(
                    start(
                            name + "-fetch-" + partition,
                            failure,
                            () -> {
                                try (KafkaConsumer<byte[], byte[]> c =
                                        kafka.consumer(kafkaProperties)) {
                                    c.assign(List.of(in));
                                    c.seekToBeginning(List.of(in));
                                    long end = c.endOffsets(List.of(in)).get(in);
                                    while (c.position(in) < end && System.nanoTime() < deadline) {
                                        List<ConsumerRecord<byte[], byte[]>> batch =
                                                c.poll(Duration.ofMillis(100)).records(in);
                                        if (!batch.isEmpty()
                                                && !handOver(batches, batch, failure)) {
                                            return;
                                        }
                                    }
                                } finally {
                                    handOver(batches, List.of(), failure); // the end
                                }
                            }));
            threads.add(
                    start(
                            name + "-copy-" + partition,
                            failure,
                            () -> {
                                try (KafkaProducer<byte[], byte[]> p =
                                        kafka.producer(
                                                ActivationPipeline.producerProperties(
                                                        kafkaProperties))) {
                                    while (failure.get() == null) {
                                        List<ConsumerRecord<byte[], byte[]>> batch =
                                                batches.poll(100, TimeUnit.MILLISECONDS);
                                        if (batch == null) {
                                            continue;
                                        }
                                        if (batch.isEmpty()) {
                                            break;
                                        }
                                        for (ConsumerRecord<byte[], byte[]> r : batch) {
                                            p.send(
                                                    new ProducerRecord<>(
                                                            t[1],
                                                            r.key(),
                                                            transform.apply(r.value())));
                                        }
                                    }
                                    p.flush();
                                }
                            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /**
     * Puts {@code batch} on {@code batches}, waiting for room unless the other thread failed; false
     * if it did.
     */
    private static boolean handOver(
            BlockingQueue<List<ConsumerRecord<byte[], byte[]>>> batches,
            List<ConsumerRecord<byte[], byte[]>> batch,
            AtomicReference<Throwable> failure)
            throws InterruptedException {
        while (!batches.offer(batch, 100, TimeUnit.MILLISECONDS)) {
            if (failure.get() != null) {
                return false;
            }
        }
        return true;
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Starts a thread running {@code body}; its first failure goes to {@code failure}. */
    private static Thread start(String name, AtomicReference<Throwable> failure, Body body) {
        Thread thread =
                new Thread(
                        () -> {
                            try {
                                body.run();
                            } catch (Exception | Error e) {
                                failure.compareAndSet(null, e);
                            }
                        },
                        name);
        thread.start();
        return thread;
    }

    /**
     * The plain-clients peer: the ceiling's threads and clients (a fetch and a copy thread per
     * partition), each record's value through {@link Peers#transform} on its way. Like the ceiling
     * it commits no offsets, which only flatters it.
     */
    private Run plainClients(RecordFormat format) throws Exception {
        String[] t = topics("plain-" + format);
        fill(t[0], format);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        UnaryOperator<byte[]> work = Peers.transform(format, MAP_OP_CANONICAL);
        ThreadCpuAccount.Usage used =
                cpu.measure(
                                () -> {
                                    copy(t, deadline, failure, "peer", work);
                                    return null;
                                })
                        .usage();
        if (failure.get() != null) {
            throw new IllegalStateException("the plain-clients peer failed", failure.get());
        }
        return new Run(appendRate(t, records(format)), used);
    }

    /**
     * The Kafka Streams peer ({@link Peers#kafkaStreams}): one stream thread per partition, as the
     * job's parallelism, the job's client properties; stopped once its output is read.
     */
    private Run kafkaStreams(RecordFormat format) throws Exception {
        String[] t = topics("streams-" + format);
        fill(t[0], format);
        Path state = Files.createTempDirectory("bench-streams-");
        try {
            ThreadCpuAccount.Measured<long[]> run =
                    cpu.measure(
                            () -> {
                                KafkaStreams streams =
                                        Peers.kafkaStreams(
                                                kafka.bootstrapServers(),
                                                t[0],
                                                t[1],
                                                PARALLELISM,
                                                Peers.transform(format, MAP_OP_CANONICAL),
                                                kafkaProperties,
                                                ActivationPipeline.producerProperties(
                                                        kafkaProperties),
                                                state);
                                Object changed = new Object();
                                streams.setStateListener(
                                        (now, before) -> {
                                            synchronized (changed) {
                                                changed.notifyAll();
                                            }
                                        });
                                try {
                                    streams.start();
                                    long[] appended =
                                            appendTimes(
                                                    t[1], records(format), Duration.ofMinutes(5));
                                    // a short run can be read through while the group still
                                    // moves a partition to the second stream thread (a
                                    // cooperative rebalance in two steps); closing then can wait
                                    // out the rebalance for minutes, so let it settle first
                                    awaitSettled(streams, changed, Duration.ofMinutes(1));
                                    return appended;
                                } finally {
                                    if (!streams.close(Duration.ofSeconds(30))) {
                                        throw new IllegalStateException(
                                                "Kafka Streams did not stop within 30 s");
                                    }
                                }
                            });
            return new Run(rate(run.result()), run.usage());
        } finally {
            delete(t);
            FileUtils.deleteDirectory(state.toFile());
        }
    }

    /**
     * Waits until {@code streams} runs with a task on every stream thread: the group is then
     * stable. Woken by its state listener on {@code changed} (a rebalance passes through
     * REBALANCING), and looks again every 100 ms.
     */
    private static void awaitSettled(KafkaStreams streams, Object changed, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (streams.state() != KafkaStreams.State.RUNNING
                    || streams.metadataForLocalThreads().stream()
                            .anyMatch(thread -> thread.activeTasks().isEmpty())) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !streams.state().isRunningOrRebalancing()) {
                    throw new IllegalStateException(
                            "Kafka Streams is "
                                    + streams.state()
                                    + " and its group did not settle within "
                                    + timeout.toSeconds()
                                    + " s");
                }
                TimeUnit.NANOSECONDS.timedWait(
                        changed, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        }
    }

    /**
     * The job's Kafka source and sink, built by the job's own {@link ActivationPipeline} methods
     * (so with its parallelism, checkpoints, object reuse, read_committed, at-least-once), with
     * nothing between them: what Flink and its Kafka connector cost without the format's parsing
     * and writing or the compute, between the ceiling and the map job.
     */
    private double flinkPassThrough(RecordFormat format) throws Exception {
        String[] t = topics("pass-through-" + format);
        fill(t[0], format);
        JobConfig c = config(t, format, "at-least-once", "relu", null, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ActivationPipeline.configure(env, c);
        String topic = c.outputTopic();
        KafkaRecordSerializationSchema<Tuple2<byte[], byte[]>> copy =
                (r, context, timestamp) -> new ProducerRecord<>(topic, r.f0, r.f1);
        env.fromSource(
                        ActivationPipeline.source(c, new KeyAndValue()).build(),
                        WatermarkStrategy.noWatermarks(),
                        "kafka " + t[0])
                .sinkTo(ActivationPipeline.sink(c, copy, "out"));
        env.execute("bench pass-through");
        return appendRate(t, records(format));
    }

    /** A Kafka record's key and value bytes, as they are. */
    private static final class KeyAndValue
            implements KafkaRecordDeserializationSchema<Tuple2<byte[], byte[]>> {
        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> r, Collector<Tuple2<byte[], byte[]>> out) {
            out.collect(Tuple2.of(r.key(), r.value()));
        }

        @Override
        public TypeInformation<Tuple2<byte[], byte[]>> getProducedType() {
            return Types.TUPLE(
                    Types.PRIMITIVE_ARRAY(Types.BYTE), Types.PRIMITIVE_ARRAY(Types.BYTE));
        }
    }

    private JobConfig config(
            String[] t,
            RecordFormat format,
            String delivery,
            String activation,
            String window,
            boolean bounded) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--input-topic",
                                t[0],
                                "--output-topic",
                                t[1],
                                "--activation",
                                activation,
                                "--format",
                                format.toString(),
                                "--delivery",
                                delivery,
                                "--starting-offsets",
                                "earliest",
                                "--checkpoint-interval",
                                "1s",
                                "--parallelism",
                                String.valueOf(PARALLELISM),
                                "--group-id",
                                t[0]));
        if (window != null) {
            args.addAll(List.of("--window", window));
        }
        kafkaProperties.forEach(
                (key, value) -> args.addAll(List.of("--kafka-property", key + "=" + value)));
        if (bounded) {
            args.add("--bounded");
        }
        JobOptions o = new JobOptions();
        new CommandLine(o).parseArgs(args.toArray(String[]::new));
        return o.validate();
    }

    private Run throughput(RecordFormat format, String delivery, String activation, String window)
            throws Exception {
        String[] t = topics("run");
        fill(t[0], format);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ActivationPipeline.build(env, config(t, format, delivery, activation, window, true));
        ThreadCpuAccount.Usage used = cpu.measure(() -> env.execute("bench")).usage();
        return new Run(appendRate(t, records(format)), used);
    }

    /** The load generator sends in bursts of what is due within this time. */
    private static final long PACING_NANOS = 1_000_000;

    /**
     * The latency runs' warm-up load, not measured: the job starts, is JIT-compiled and catches up.
     */
    private static final int LATENCY_WARMUP_SECONDS = 5;

    /**
     * p50 and p99 of produce-to-consume latency (ms) at {@code rate} records/s, from a settled
     * start: {@link #LATENCY_WARMUP_SECONDS} of the same load first, not measured, and then, once
     * every output of it has been read (the job is up and has caught up with its start), {@code
     * --latency-seconds} of load that is. (Timed from the job's submission, with the load generator
     * parking once per record, the JSON map's p50 at half load was 458-533 ms: the backlog of the
     * job's start-up and the generator's CPU, which the job needed to drain it.) The map job gets a
     * key per record, which tells the outputs apart; a window needs records that share a key, so
     * there the records go round {@link #KEYS} keys, as in the throughput runs, and the k-th output
     * of a key is its k-th input (Kafka keeps a key's order, and the window its records'). A
     * window's latency includes the wait for its last record.
     */
    private Latency latency(
            RecordFormat format, String delivery, String activation, String window, double rate)
            throws Exception {
        String[] t = topics("latency");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ActivationPipeline.build(env, config(t, format, delivery, activation, window, false));
        JobClient job = env.executeAsync("bench latency");
        // whole windows of every key, in the warm-up and in the measured load: every record has an
        // output, and the warm-up's all come before the measured ones
        long unit = window == null ? 1 : KEYS * WindowSpec.parse(window).count();
        int warmup =
                (int)
                        Math.min(
                                Integer.MAX_VALUE / 4,
                                Math.max(1, Math.round(rate * LATENCY_WARMUP_SECONDS / unit))
                                        * unit);
        int total =
                warmup
                        + (int)
                                Math.min(
                                        Integer.MAX_VALUE / 4,
                                        Math.max(1, Math.round(rate * latencySeconds / unit))
                                                * unit);
        long[] sent = new long[total];
        long[] received = new long[total];
        int[] outputsPerKey = new int[KEYS];
        CountDownLatch warmupRead = new CountDownLatch(warmup);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader =
                start(
                        "latency-reader",
                        failure,
                        () -> {
                            // keys only: the reader shares the cores with the job, and copying
                            // every output's value (a
                            // few hundred MB/s of f32le at half load) would be its largest cost
                            try (KafkaConsumer<byte[], Void> c =
                                    kafka.consumer(Map.of(), EmbeddedKafka.SKIPPED_VALUES)) {
                                c.subscribe(List.of(t[1]));
                                int got = 0;
                                long deadline =
                                        System.nanoTime()
                                                + Duration.ofSeconds(
                                                                LATENCY_WARMUP_SECONDS
                                                                        + latencySeconds
                                                                        + 120L)
                                                        .toNanos();
                                while (got < total && System.nanoTime() < deadline) {
                                    for (ConsumerRecord<byte[], Void> r :
                                            c.poll(Duration.ofMillis(20))) {
                                        long key = ByteBuffer.wrap(r.key()).getLong();
                                        int id =
                                                window == null
                                                        ? (int) key
                                                        : outputsPerKey[(int) key]++ * KEYS
                                                                + (int) key;
                                        if (id < total && received[id] == 0) {
                                            received[id] = System.nanoTime();
                                            got++;
                                            if (id < warmup) {
                                                warmupRead.countDown();
                                            }
                                        }
                                    }
                                }
                            }
                        });
        byte[][] pool = pool(format);
        // the job's producer settings: on Kafka's 16 KB batches the broker spent about twice the
        // CPU per record
        try (KafkaProducer<byte[], byte[]> p =
                kafka.producer(ActivationPipeline.producerProperties(kafkaProperties))) {
            // the warm-up's records wait in the input topic until the job's source reads them
            produceAt(p, t[0], window == null, pool, sent, 0, warmup, rate);
            long caughtUpBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!warmupRead.await(100, TimeUnit.MILLISECONDS) && failure.get() == null) {
                if (System.nanoTime() > caughtUpBy) {
                    System.out.printf(
                            Locale.ROOT,
                            "[bench] latency run %s %s: the job had not caught up with %d s of"
                                    + " warm-up load after 120 s; measuring anyway%n",
                            format,
                            delivery,
                            LATENCY_WARMUP_SECONDS);
                    break;
                }
            }
            if (failure.get() == null) { // else the reader is gone: stop, and say why below
                produceAt(p, t[0], window == null, pool, sent, warmup, total, rate);
            }
            p.flush();
        }
        reader.join();
        job.cancel().get();
        delete(t);
        if (failure.get() != null) {
            throw new IllegalStateException("the latency run's reader failed", failure.get());
        }
        double[] all = latencies(sent, received, warmup, total);
        int second = (int) Math.min(total - warmup, Math.max(1, Math.round(rate)));
        return new Latency(
                percentile(all, 0.5),
                percentile(all, 0.99),
                percentile(latencies(sent, received, warmup, warmup + second), 0.5),
                percentile(latencies(sent, received, total - second, total), 0.5),
                total - warmup - all.length);
    }

    /**
     * A latency run's percentiles (ms), and the medians of its first and last second's records: a
     * last second far above the first says the job fell behind the load (a backlog grew), not that
     * each record took that long. {@code unread}: measured records whose output was not read by the
     * reader's deadline, left out of the percentiles (and said on the run's line).
     */
    record Latency(
            double p50, double p99, double firstSecondP50, double lastSecondP50, int unread) {}

    /**
     * The produce-to-consume latencies (ms, sorted) of records {@code from} to {@code to} that were
     * read.
     */
    private static double[] latencies(long[] sent, long[] received, int from, int to) {
        double[] lat = new double[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            if (received[i] != 0) {
                lat[n++] = (received[i] - sent[i]) / 1e6;
            }
        }
        double[] sorted = Arrays.copyOf(lat, n);
        Arrays.sort(sorted);
        return sorted;
    }

    private static double percentile(double[] sorted, double p) {
        return sorted.length == 0
                ? Double.NaN
                : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
    }

    /**
     * Sends records {@code from} to {@code to} at {@code rate} records/s from now, noting when each
     * was sent. The key carries the record's id or its round of the keys (the job keeps keys), so
     * that f32le records can be matched too.
     */
    private static void produceAt(
            KafkaProducer<byte[], byte[]> p,
            String topic,
            boolean keyPerRecord,
            byte[][] pool,
            long[] sent,
            int from,
            int to,
            double rate) {
        long start = System.nanoTime();
        for (int i = from; i < to; i++) {
            long wait = start + (long) ((i - from) * 1e9 / rate) - System.nanoTime();
            // what is due within a millisecond goes now: a park per record (every 11 us at 90k
            // records/s)
            // is a system call and a timer each, CPU the job needs; a spin would take a whole core
            if (wait > PACING_NANOS) {
                LockSupport.parkNanos(wait);
            }
            sent[i] = System.nanoTime();
            p.send(input(topic, keyPerRecord ? i : i % KEYS, pool[i % pool.length]));
        }
    }
}
