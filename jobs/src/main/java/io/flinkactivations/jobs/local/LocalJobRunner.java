package io.flinkactivations.jobs.local;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.PerJobMiniClusterFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.util.SerializedThrowable;

/**
 * Runs a job on a Flink MiniCluster in this JVM, as {@code LocalStreamEnvironment} does, and says on
 * the console when it fails and restarts, and why, one line each: Flink itself only logs it, with
 * stack traces. A job that fails for good ends {@link #run} with {@link Failed}, whose message is
 * the line to show.
 */
public final class LocalJobRunner {
    /** How often the job's state is read. */
    private static final Duration POLL = Duration.ofMillis(200);

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
    public static JobExecutionResult run(StreamExecutionEnvironment env, Configuration conf, String jobName,
                                         String restarts, PrintWriter console) throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        AtomicReference<MiniCluster> cluster = new AtomicReference<>();
        JobClient job = PerJobMiniClusterFactory.createWithFactory(conf, c -> {
            MiniCluster m = new MiniCluster(c);
            cluster.set(m);
            return m;
        }).submitJob(graph, Thread.currentThread().getContextClassLoader()).get();
        CompletableFuture<JobExecutionResult> result = job.getJobExecutionResult();
        JobID id = job.getJobID();
        long reported = 0; // the time of the last failure told
        while (true) {
            try {
                return result.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // still running: look for a failure
            } catch (ExecutionException e) {
                throw new Failed("the job failed and will not restart (restart strategy " + restarts + "): "
                        + cause(e.getCause()));
            }
            AccessExecutionGraph graphNow;
            try {
                graphNow = cluster.get().getExecutionGraph(id).get(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                continue; // the job is between states; its result says how it ended
            }
            ErrorInfo failure = graphNow.getFailureInfo();
            JobStatus state = graphNow.getState();
            if (failure != null && failure.getTimestamp() != reported && state != JobStatus.FAILING
                    && !state.isGloballyTerminalState()) {
                reported = failure.getTimestamp();
                console.println("run: the job failed and restarts (restart strategy " + restarts + "): "
                        + cause(failure.getException()));
                console.flush();
            }
        }
    }

    /** The innermost cause of a failure, as {@code Class: message} on one line. */
    public static String cause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String name = root instanceof SerializedThrowable s ? s.getOriginalErrorClassName() : root.getClass().getName();
        String message = root.getMessage();
        String line = name.substring(name.lastIndexOf('.') + 1)
                + (message == null ? "" : ": " + message.replaceAll("\\s+", " ").trim());
        return line.length() <= 400 ? line : line.substring(0, 397) + "...";
    }
}
