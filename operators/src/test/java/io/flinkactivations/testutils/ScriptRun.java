package io.flinkactivations.testutils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of one of the project's commands ({@code bin/activations}, {@code bin/benchmark}) as a user
 * runs it, for the tests of the packaged project: its exit code and what it printed.
 */
public record ScriptRun(int exitCode, String out, String err) {
    /** The project's root, for a test run by Maven in one of its modules. */
    public static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    /** Runs {@code script} with {@code stdin}, for at most 120 s. */
    public static ScriptRun run(Path script, String stdin, String... args) throws IOException, InterruptedException {
        return run(script, stdin, Duration.ofSeconds(120), args);
    }

    /** Runs {@code script}; output goes to files, so a chatty process never blocks on a pipe. */
    public static ScriptRun run(Path script, String stdin, Duration timeout, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("script-out", ".txt");
        Path err = Files.createTempFile("script-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish in " + timeout.toSeconds() + " s: "
                        + Files.readString(out) + Files.readString(err));
            }
            return new ScriptRun(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
