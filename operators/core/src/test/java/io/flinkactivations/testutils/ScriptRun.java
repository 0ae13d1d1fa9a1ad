package io.flinkactivations.testutils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of one of the project's commands ({@code bin/activations}, {@code bin/benchmark}) as a
 * user runs it, for the tests of the packaged project: its exit code and what it printed.
 */
public record ScriptRun(int exitCode, String out, String err) {
    /** The project's root, for a test run by Maven in one of its modules. */
    public static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    /** What a stack trace prints: a launcher's failure is one line, never these. */
    public static final String[] STACK_TRACE = {"\tat ", "Caused by", "Exception in"};

    /** What the run printed: stderr, then stdout. */
    public String console() {
        return err + out;
    }

    /** Runs {@code script} with {@code stdin}, for at most 120 s. */
    public static ScriptRun run(Path script, String stdin, String... args)
            throws IOException, InterruptedException {
        return run(script, stdin, Duration.ofSeconds(120), args);
    }

    /** Runs {@code script}; output goes to files, so a chatty process never blocks on a pipe. */
    public static ScriptRun run(Path script, String stdin, Duration timeout, String... args)
            throws IOException, InterruptedException {
        return start(script, stdin, Map.of(), args).await(timeout);
    }

    /**
     * As {@link #run(Path, String, Duration, String...)}, with {@code env} added to its
     * environment.
     */
    public static ScriptRun run(
            Path script, String stdin, Duration timeout, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        return start(script, stdin, env, args).await(timeout);
    }

    /**
     * Starts {@code script} with {@code stdin} and {@code env} added to its environment, and
     * returns at once; {@link Running#await} waits for it.
     */
    public static Running start(Path script, String stdin, Map<String, String> env, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("script-out", ".txt");
        Path err = Files.createTempFile("script-err", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        return new Running(cmd, p, out, err);
    }

    /** A started run. */
    public record Running(List<String> cmd, Process process, Path out, Path err) {
        /** What it printed to stderr so far. */
        public String errSoFar() throws IOException {
            return Files.readString(err);
        }

        /** Waits at most {@code timeout} for the run to end; kills it and fails if it does not. */
        public ScriptRun await(Duration timeout) throws IOException, InterruptedException {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    throw new AssertionError(
                            cmd
                                    + " did not finish in "
                                    + timeout.toSeconds()
                                    + " s: "
                                    + Files.readString(out)
                                    + Files.readString(err));
                }
                return new ScriptRun(
                        process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
    }
}
