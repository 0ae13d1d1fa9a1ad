package io.flinkactivations.jobs.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.client.program.PerJobMiniClusterFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.SerializedThrowable;

/**
 * Runs a job on a Flink MiniCluster in this JVM, as {@code LocalStreamEnvironment} does, and says
 * on the console when it fails and restarts, and why, one line each: Flink itself only logs it,
 * with stack traces. The failures are Flink's own exception history, read from the MiniCluster's
 * REST endpoint as the web UI reads it. A job that fails for good ends {@link #run} with {@link
 * Failed}, whose message is the line to show.
 */
@Internal
public final class LocalJobRunner {
    /** How often the job's exception history is read. */
    private static final Duration POLL = Duration.ofMillis(250);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The job failed and will not restart. */
    public static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message, null, false, false);
        }
    }

    private LocalJobRunner() {}

    /**
     * Runs the job built in {@code env}, with {@code conf} for the MiniCluster, until it ends;
     * {@code restarts} names the restart strategy in the console's lines.
     */
    public static JobExecutionResult run(
            StreamExecutionEnvironment env,
            Configuration conf,
            String jobName,
            String restarts,
            PrintWriter console)
            throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        AtomicReference<MiniCluster> cluster = new AtomicReference<>();
        // The cluster closes itself when the job ends; it waits for this, so that the failures
        // that came just before the end can still be read from its history and told.
        CompletableFuture<Void> historyRead = new CompletableFuture<>();
        try {
            JobClient job =
                    PerJobMiniClusterFactory.createWithFactory(
                                    conf,
                                    c -> {
                                        MiniCluster m =
                                                new MiniCluster(c) {
                                                    @Override
                                                    public CompletableFuture<Void> closeAsync() {
                                                        return historyRead.thenCompose(
                                                                v -> super.closeAsync());
                                                    }
                                                };
                                        cluster.set(m);
                                        return m;
                                    })
                            .submitJob(graph, Thread.currentThread().getContextClassLoader())
                            .get();
            return awaitTellingFailures(job, cluster.get(), restarts, console);
        } finally {
            historyRead.complete(null);
        }
    }

    private static JobExecutionResult awaitTellingFailures(
            JobClient job, MiniCluster cluster, String restarts, PrintWriter console)
            throws Exception {
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        URI exceptions =
                cluster.getRestAddress()
                        .get()
                        .resolve("/jobs/" + job.getJobID() + "/exceptions?maxExceptions=100");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long reported = 0; // the time of the last failure told
        while (true) {
            try {
                JobExecutionResult done = result.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                tellRestarts(failuresSince(http, exceptions, reported), restarts, console);
                return done;
            } catch (TimeoutException e) {
                // still running: look for new failures
            } catch (ExecutionException e) {
                // the newest failure is the one that ended the job, told by the message below
                List<Failure> last = failuresSince(http, exceptions, reported);
                tellRestarts(last.subList(0, Math.max(0, last.size() - 1)), restarts, console);
                throw new Failed(
                        "the job failed and will not restart (restart strategy "
                                + restarts
                                + "): "
                                + cause(e.getCause()));
            }
            List<Failure> failures = failuresSince(http, exceptions, reported);
            if (result.isDone()) {
                continue; // ended meanwhile: its newest failure may be the last; told above
            }
            tellRestarts(failures, restarts, console);
            for (Failure f : failures) {
                reported = Math.max(reported, f.timestamp());
            }
        }
    }

    private static void tellRestarts(List<Failure> failures, String restarts, PrintWriter console) {
        for (Failure f : failures) {
            console.println(
                    "run: the job failed and restarts (restart strategy "
                            + restarts
                            + "): "
                            + f.cause());
        }
        console.flush();
    }

    /** One failure of the job's exception history. */
    record Failure(long timestamp, String cause) {}

    /** The failures after {@code since}, oldest first; none while the history cannot be read. */
    private static List<Failure> failuresSince(HttpClient http, URI exceptions, long since)
            throws InterruptedException {
        JsonNode history;
        try {
            HttpResponse<byte[]> r =
                    http.send(
                            HttpRequest.newBuilder(exceptions)
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                return List.of();
            }
            history = JSON.readTree(r.body()).path("exceptionHistory").path("entries");
        } catch (IOException e) {
            return List.of(); // the endpoint is starting or stopping; the job's result tells how it
            // ended
        }
        List<Failure> failures = new ArrayList<>();
        for (JsonNode entry : history) {
            long ts = entry.path("timestamp").asLong();
            if (ts > since) {
                failures.add(
                        new Failure(
                                ts,
                                rootCause(
                                        entry.path("exceptionName").asText(),
                                        entry.path("stacktrace").asText())));
            }
        }
        failures.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
        return failures;
    }

    /**
     * The innermost cause in a printed stack trace: its last {@code Caused by:} line, else its
     * first line.
     */
    static String rootCause(String exceptionName, String stackTrace) {
        String line = stackTrace.lines().findFirst().orElse(exceptionName);
        for (String l : stackTrace.lines().toList()) {
            if (l.startsWith("Caused by: ")) {
                line = l.substring("Caused by: ".length());
            }
        }
        return oneLine(unwrap(line));
    }

    /** The innermost cause of a failure, as {@code Class: message} on one line. */
    public static String cause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String name =
                root instanceof SerializedThrowable s
                        ? s.getOriginalErrorClassName()
                        : root.getClass().getName();
        return oneLine(unwrap(root.getMessage() == null ? name : name + ": " + root.getMessage()));
    }

    /**
     * {@code a.b.C: message} as {@code C: message}; Flink's serialized exceptions repeat their
     * class ({@code SerializedThrowable: a.b.C: message}), which goes too.
     */
    private static String unwrap(String line) {
        String s = line.trim();
        while (true) {
            int colon = s.indexOf(": ");
            String name = colon < 0 ? s : s.substring(0, colon);
            if (!name.matches("[\\w$.]+") || !name.contains(".")) {
                return s;
            }
            String rest = colon < 0 ? "" : s.substring(colon + 2);
            if (name.endsWith(".SerializedThrowable")
                    || rest.startsWith(name + ": ")
                    || rest.matches("[\\w$]+(\\.[\\w$]+)+(: .*)?")) {
                s = rest; // a wrapper that only repeats what it wraps
                continue;
            }
            return name.substring(name.lastIndexOf('.') + 1) + (colon < 0 ? "" : ": " + rest);
        }
    }

    private static String oneLine(String s) {
        String line = s.replaceAll("\\s+", " ").trim();
        return line.length() <= 400 ? line : line.substring(0, 397) + "...";
    }
}
