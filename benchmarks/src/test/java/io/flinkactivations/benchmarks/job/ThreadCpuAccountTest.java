package io.flinkactivations.benchmarks.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkactivations.benchmarks.job.ThreadCpuAccount.Part;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadCpuAccountTest {
    private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(60);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * A thread that uses {@link #SPIN_NANOS} of CPU once {@code go} opens, then waits for {@code
     * end}.
     */
    private static Thread spinner(
            String name, CountDownLatch go, CountDownLatch spun, CountDownLatch end) {
        Thread t =
                new Thread(
                        () -> {
                            try {
                                go.await();
                                long start = THREADS.getCurrentThreadCpuTime();
                                long sink = 0;
                                while (THREADS.getCurrentThreadCpuTime() - start < SPIN_NANOS) {
                                    sink += Long.numberOfTrailingZeros(sink + System.nanoTime());
                                }
                                if (sink == 42) {
                                    System.out.print(""); // keeps the loop's result alive
                                }
                                spun.countDown();
                                end.await(); // alive until the account's last sample
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void eachThreadsCpuTimeGoesToWhatItDoes() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        CountDownLatch brokerSpun = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        threads.add(
                spinner(
                        "data-plane-kafka-request-handler-0",
                        go,
                        brokerSpun,
                        end)); // alive before: the broker's
        ThreadCpuAccount account = new ThreadCpuAccount();
        List<String> names =
                List.of(
                        "ceiling-copy-0",
                        "Source Data Fetcher for Source: kafka [in] (1/2)#0",
                        "Source: kafka [in] -> activation relu -> Sink: Writer (2/2)#0",
                        "kafka-producer-network-thread | producer-1",
                        "Time Trigger for Source: kafka [in] (1/2)#0",
                        "flink-pekko.actor.default-dispatcher-4");
        CountDownLatch spun = new CountDownLatch(names.size());
        ThreadCpuAccount.Usage usage =
                account.measure(
                                () -> {
                                    for (String name : names) {
                                        threads.add(spinner(name, go, spun, end));
                                    }
                                    go.countDown();
                                    assertThat(spun.await(30, TimeUnit.SECONDS)).isTrue();
                                    assertThat(brokerSpun.await(30, TimeUnit.SECONDS)).isTrue();
                                    return null;
                                })
                        .usage();
        end.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }

        long spin = SPIN_NANOS;
        long slack =
                TimeUnit.MILLISECONDS.toNanos(
                        40); // the account's own sampler, this thread, the JIT
        assertThat(usage.nanos().get(Part.BROKER)).isBetween(spin, spin + slack);
        assertThat(usage.nanos().get(Part.PIPELINE)).isBetween(3 * spin, 3 * spin + slack);
        assertThat(usage.nanos().get(Part.PRODUCER_NETWORK)).isBetween(spin, spin + slack);
        assertThat(usage.nanos().get(Part.OTHER)).isBetween(2 * spin, 2 * spin + 3 * slack);
    }

    @Test
    void usagesAddUpPartByPart() {
        ThreadCpuAccount.Usage none = ThreadCpuAccount.Usage.none();
        assertThat(none.nanos())
                .containsOnlyKeys(Part.values())
                .allSatisfy((p, n) -> assertThat(n).isZero());
        java.util.Map<Part, Long> some = new java.util.EnumMap<>(none.nanos());
        some.put(Part.BROKER, 5L);
        some.put(Part.JVM, 7L);
        ThreadCpuAccount.Usage twice =
                new ThreadCpuAccount.Usage(some).plus(new ThreadCpuAccount.Usage(some));
        assertThat(twice.nanos().get(Part.BROKER)).isEqualTo(10);
        assertThat(twice.nanos().get(Part.JVM)).isEqualTo(14);
        assertThat(twice.total()).isEqualTo(24);
        assertThat(twice.microsPerRecord(Part.JVM, 2)).isEqualTo(0.007);
        assertThat(twice.totalMicrosPerRecord(4)).isEqualTo(0.006);
    }
}
