package io.flinkactivations.jobs;

import io.flinkactivations.core.Activation;
import io.flinkactivations.core.ActivationKernel;
import io.flinkactivations.core.ActivationSpec;
import io.flinkactivations.core.Kernels;
import io.flinkactivations.core.WindowSpec;
import io.flinkactivations.format.BadRecordException;
import io.flinkactivations.format.JsonRecord;
import io.flinkactivations.stream.BadRecordReason;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.annotation.Internal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code activations apply}: JSON lines in, the activation's output out, to try a spec by hand. */
@Command(
        name = "apply",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Reads JSON lines on stdin, applies an activation to each line's feature vector, and writes JSON lines on stdout.",
            "",
            "An input line is an object with a \"features\" array (other fields are kept as they are), or a bare array:%n"
                    + "  {\"id\": \"a\", \"features\": [1, -2, 3, -5]}%n"
                    + "  [1, -2, 3, -5]",
            "Numbers may be NaN, Infinity or -Infinity, bare or as strings. The output line is the same object with "
                    + "\"features\" replaced by the result (a bare array gives a bare array); non-finite results are "
                    + "written as the strings \"NaN\", \"Infinity\", \"-Infinity\".",
            "",
            "With --window count(N), every N consecutive good lines (the last group may be shorter) form one batch, "
                    + "and a softmax-family activation runs along dim 0 across them: each feature is normalised across "
                    + "the N records. A line whose dimension differs from its batch's first line is reported, not mixed in.",
            "",
            "A bad line is reported on stderr with its line number and reason; the other lines are still processed, "
                    + "and the exit code is 1 at the end. Bad arguments exit with 2.",
            "",
        },
        footer = {
            "",
            "Example:",
            "  echo '[1, -2, 3, -5]' | bin/activations apply --activation 'leaky_relu(0.2)'",
            "  printf '[1, 2]\\n[3, 4]\\n' | bin/activations apply --activation softmax --window 'count(2)'",
        })
@Internal
public final class ApplyCommand implements Callable<Integer> {
    /** Output lines are the input lines with their features replaced, nothing added. */
    private static final byte[] NO_EXTRA_FIELDS = new byte[0];

    @Spec CommandSpec spec;

    @Option(
            names = {"-a", "--activation"},
            required = true,
            paramLabel = "SPEC",
            description =
                    "The activation, PyTorch style: relu, leaky_relu(0.2), LeakyReLU(negative_slope=0.2), "
                            + "gelu(approximate=tanh), softplus(beta=2, threshold=10), softmax(temperature=2), ... "
                            + "All, with their defaults: ${sys:activations.usage}")
    String activation;

    @Option(
            names = "--verbose",
            description = "Also print on stderr which kernels run (vector or scalar, and why).")
    boolean verbose; // read by ActivationsCli before logging starts

    @Option(
            names = {"-w", "--window"},
            paramLabel = "count(N)",
            description =
                    "Batch every N consecutive lines and normalise along dim 0 across them (softmax, log_softmax, softmin).")
    String window;

    private final InputStream stdin;
    private final OutputStream stdout;
    private final Writer stderr;

    public ApplyCommand() {
        this(System.in, System.out, new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    }

    ApplyCommand(InputStream stdin, OutputStream stdout, Writer stderr) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static {
        System.setProperty("activations.usage", Activation.usage());
    }

    @Override
    public Integer call() throws IOException {
        ActivationSpec activationSpec;
        int batchSize = 1;
        try {
            activationSpec = ActivationSpec.parse(activation);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--activation: " + e.getMessage());
        }
        if (window != null) {
            WindowSpec w;
            try {
                w = WindowSpec.parse(window);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--window: " + e.getMessage());
            }
            if (w.kind() != WindowSpec.Kind.COUNT) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--window: apply batches lines by count only, e.g. "
                                + "count(100); "
                                + w
                                + " needs event time: use the streaming job (activations run)");
            }
            try {
                activationSpec.checkForWindow();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--window: " + e.getMessage());
            }
            if (w.count() > 10_000_000) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--window: count("
                                + w.count()
                                + ") is too large for apply; use at most count(10000000)");
            }
            batchSize = (int) w.count();
        } else {
            try {
                activationSpec.checkForMap();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--activation: " + e.getMessage() + "; give --window count(N)");
            }
        }
        ActivationKernel kernel = Kernels.get().kernel(activationSpec);
        return new Run(kernel, window != null, batchSize).process() ? 0 : 1;
    }

    /** One pass over stdin. */
    private final class Run {
        private final ActivationKernel kernel;
        private final boolean windowed;
        private final int batchSize;
        private final BufferedOutputStream out = new BufferedOutputStream(stdout, 1 << 16);
        private final PrintWriter err = new PrintWriter(stderr, true);
        private final List<byte[]> lines = new ArrayList<>();
        private final List<JsonRecord.Layout> batch = new ArrayList<>();
        private final List<Long> batchLineNumbers = new ArrayList<>();
        private float[] buffer = new float[0];
        private boolean allGood = true;

        Run(ActivationKernel kernel, boolean windowed, int batchSize) {
            this.kernel = kernel;
            this.windowed = windowed;
            this.batchSize = batchSize;
        }

        boolean process() throws IOException {
            byte[] chunk = new byte[1 << 16];
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            long lineNo = 0;
            int n;
            while ((n = stdin.read(chunk)) != -1) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        line.write(chunk, start, i - start);
                        emit(line, ++lineNo);
                        start = i + 1;
                    }
                }
                line.write(chunk, start, n - start);
                out.flush(); // interactive use: answer each line as it comes
            }
            if (line.size() > 0) {
                emit(line, ++lineNo);
            }
            flushBatch();
            out.flush();
            return allGood;
        }

        /**
         * One input line (without its newline; a trailing CR is dropped); blank lines are skipped.
         */
        private void emit(ByteArrayOutputStream line, long lineNo) throws IOException {
            byte[] bytes = line.toByteArray();
            line.reset();
            int len =
                    bytes.length > 0 && bytes[bytes.length - 1] == '\r'
                            ? bytes.length - 1
                            : bytes.length;
            if (!isBlank(bytes, len)) {
                accept(len == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, len), lineNo);
            }
        }

        private void accept(byte[] record, long lineNo) throws IOException {
            JsonRecord.Layout layout;
            try {
                layout = JsonRecord.parse(record, 0, record.length);
                String unfit = kernel.spec().checkDimension(layout.features().length);
                if (unfit != null) { // a grouped softmax's groups
                    throw new BadRecordException(BadRecordReason.DIMENSION_MISMATCH, unfit);
                }
                if (!batch.isEmpty()
                        && layout.features().length != batch.get(0).features().length) {
                    throw new BadRecordException(
                            BadRecordReason.DIMENSION_MISMATCH,
                            "the vector has "
                                    + layout.features().length
                                    + " features, the window's first (line "
                                    + batchLineNumbers.get(0)
                                    + ") has "
                                    + batch.get(0).features().length);
                }
            } catch (BadRecordException e) {
                err.println("line " + lineNo + ": " + e.reason().code() + ": " + e.getMessage());
                allGood = false;
                return;
            }
            lines.add(record);
            batch.add(layout);
            batchLineNumbers.add(lineNo);
            if (batch.size() == batchSize) {
                flushBatch();
            }
        }

        private void flushBatch() throws IOException {
            int rows = batch.size();
            if (rows == 0) {
                return;
            }
            int cols = batch.get(0).features().length;
            if (buffer.length < rows * cols) {
                buffer = new float[rows * cols];
            }
            for (int r = 0; r < rows; r++) {
                System.arraycopy(batch.get(r).features(), 0, buffer, r * cols, cols);
            }
            if (!windowed) {
                kernel.apply(buffer, 0, buffer, 0, cols);
            } else {
                kernel.applyAlongDim0(buffer, 0, buffer, 0, rows, cols);
            }
            for (int r = 0; r < rows; r++) {
                out.write(
                        JsonRecord.write(
                                lines.get(r),
                                batch.get(r),
                                buffer,
                                r * cols,
                                cols,
                                NO_EXTRA_FIELDS));
                out.write('\n');
            }
            lines.clear();
            batch.clear();
            batchLineNumbers.clear();
        }

        private boolean isBlank(byte[] bytes, int len) {
            for (int i = 0; i < len; i++) {
                if (!Character.isWhitespace(bytes[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
