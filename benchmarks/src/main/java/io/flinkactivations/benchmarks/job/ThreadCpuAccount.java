package io.flinkactivations.benchmarks.job;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * Where a benchmark run's CPU time goes in this JVM, which hosts the broker, the pipeline under
 * test and its clients: each Java thread's CPU time over the run, summed by what the thread does,
 * and the rest of the process's CPU time (JIT compilers, GC, the JVM's own threads; they are no
 * Java threads to {@link ThreadMXBean}). The broker's threads are those alive when the account is
 * opened, right after the broker started and before any run (with the JVM's own few Java threads,
 * which idle).
 *
 * <p>Threads are sampled every {@link #SAMPLE_MILLIS} ms while the run goes on, so a thread that
 * ends during it (Flink's task threads at the end of a bounded job) is counted up to its last
 * sample; the rest of its time lands in {@link Part#JVM}.
 */
final class ThreadCpuAccount {
    /** What a thread does, in the order of a report. */
    enum Part {
        BROKER("the broker"),
        PIPELINE(
                "the pipeline: the ceiling's copy threads, the job's source fetchers and task threads"),
        PRODUCER_NETWORK("producers' network threads (the ceiling's and the job's sinks')"),
        OTHER("Flink's runtime and other Java threads"),
        JVM("JIT compilers, GC and the JVM's own threads");

        final String description;

        Part(String description) {
            this.description = description;
        }
    }

    private static final long SAMPLE_MILLIS = 100;

    /** A Flink task thread: "<task name> (<subtask>/<parallelism>)#<attempt>". */
    private static final Pattern FLINK_TASK = Pattern.compile(".* \\(\\d+/\\d+\\)#\\d+");

    /** Flink's helper threads named after a task. */
    private static final String[] TASK_HELPERS = {
        "OutputFlusher for ", "Time Trigger for ", "System Time Trigger for "
    };

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os;
    private final Set<Long> broker = new HashSet<>();

    /** Opens the account: every thread alive now, except the caller, is the broker's. */
    ThreadCpuAccount() {
        if (!threads.isThreadCpuTimeSupported()
                || !(ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean o)) {
            throw new IllegalStateException("this JVM does not report threads' CPU time");
        }
        threads.setThreadCpuTimeEnabled(true);
        os = o;
        for (long id : threads.getAllThreadIds()) {
            broker.add(id);
        }
        broker.remove(Thread.currentThread().getId());
    }

    /** CPU time in ns by part. */
    record Usage(Map<Part, Long> nanos) {
        static Usage none() {
            Map<Part, Long> zero = new EnumMap<>(Part.class);
            for (Part p : Part.values()) {
                zero.put(p, 0L);
            }
            return new Usage(zero);
        }

        Usage plus(Usage other) {
            Map<Part, Long> sum = new EnumMap<>(nanos);
            other.nanos.forEach((p, n) -> sum.merge(p, n, Long::sum));
            return new Usage(sum);
        }

        long total() {
            return nanos.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Microseconds of {@code part} per record, over {@code records}. */
        double microsPerRecord(Part part, double records) {
            return nanos.get(part) / 1e3 / records;
        }

        /** Microseconds of all parts per record, over {@code records}. */
        double totalMicrosPerRecord(double records) {
            return total() / 1e3 / records;
        }
    }

    /** A run's result and the CPU time it took. */
    record Measured<T>(T result, Usage usage) {}

    /** Runs {@code run} and accounts for the process's CPU time while it ran. */
    <T> Measured<T> measure(Callable<T> run) throws Exception {
        Map<Long, Long> before = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        sample(before, names);
        long processBefore = os.getProcessCpuTime();
        Map<Long, Long> last = new HashMap<>(before);
        Thread sampler =
                new Thread(
                        () -> {
                            while (!Thread.currentThread().isInterrupted()) {
                                sample(last, names);
                                try {
                                    Thread.sleep(SAMPLE_MILLIS); // the sampling interval
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "cpu-account-sampler");
        sampler.setDaemon(true);
        sampler.start();
        T result;
        try {
            result = run.call();
        } finally {
            sampler.interrupt();
            sampler.join();
        }
        sample(last, names);
        long process = os.getProcessCpuTime() - processBefore;
        Map<Part, Long> nanos = Usage.none().nanos();
        long javaThreads = 0;
        for (Map.Entry<Long, Long> e : last.entrySet()) {
            long used = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            javaThreads += used;
            nanos.merge(part(e.getKey(), names.get(e.getKey())), used, Long::sum);
        }
        nanos.put(Part.JVM, Math.max(0, process - javaThreads));
        return new Measured<>(result, new Usage(nanos));
    }

    /**
     * Updates each live thread's CPU time, and learns the names of threads new since the last
     * sample.
     */
    private void sample(Map<Long, Long> last, Map<Long, String> names) {
        long[] ids = threads.getAllThreadIds();
        long[] unnamed = Arrays.stream(ids).filter(id -> !names.containsKey(id)).toArray();
        for (ThreadInfo info : threads.getThreadInfo(unnamed, 0)) {
            if (info != null) {
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        for (long id : ids) {
            long t = threads.getThreadCpuTime(id);
            if (t >= 0) {
                last.merge(id, t, Math::max);
            }
        }
    }

    private Part part(long id, String name) {
        if (broker.contains(id)) {
            return Part.BROKER;
        }
        if (name == null) {
            return Part.OTHER;
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return Part.PRODUCER_NETWORK;
        }
        if (name.startsWith("ceiling-")
                || name.startsWith("peer-")
                || name.contains("-StreamThread-")
                || name.startsWith("Source Data Fetcher for ")) {
            return Part.PIPELINE;
        }
        for (String helper : TASK_HELPERS) {
            if (name.startsWith(helper)) {
                return Part.OTHER;
            }
        }
        return FLINK_TASK.matcher(name).matches() ? Part.PIPELINE : Part.OTHER;
    }
}
