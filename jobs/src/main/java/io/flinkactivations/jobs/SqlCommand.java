package io.flinkactivations.jobs;

import io.flinkactivations.sql.ActivationsModule;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code activations sql FILE}: a Flink SQL script on a local Flink, with the activations'
 * functions loaded.
 */
@Command(
        name = "sql",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs a Flink SQL script on a local Flink (a MiniCluster in this JVM), statement by statement, with "
                    + "the activations module loaded: RELU(features), GELU(features, 'tanh'), SOFTMAX(features), "
                    + "ACTIVATE(features, 'leaky_relu(negative_slope=0.2)'), ... on ARRAY<FLOAT> or ARRAY<DOUBLE>.",
            "",
            "Statements end with ';' (not inside quotes or comments); EXECUTE STATEMENT SET BEGIN ... END; is one "
                    + "statement. SET 'key' = 'value'; works as in Flink's SQL client (those that open the script "
                    + "configure the environment, e.g. 'execution.runtime-mode'). A SELECT prints its rows; an INSERT "
                    + "or a statement set runs as a job, the command waits for its end and prints one line (an "
                    + "unbounded source runs until the command is stopped). Kafka tables ('connector' = 'kafka') and the "
                    + "'json' and 'raw' formats are on the classpath.",
            "",
            "A statement that fails stops the script with one line naming the statement and the cause, exit code 1.",
            "",
        },
        footer = {
            "",
            "Example:",
            "  bin/activations sql examples/sql/activations.sql",
        })
@Internal
public final class SqlCommand implements Callable<Integer> {

    /** Statements that run a job writing into tables: INSERT, and statement sets. */
    private static final Pattern WRITES =
            Pattern.compile(
                    "(?is)\\s*(INSERT\\s|EXECUTE\\s+(STATEMENT\\s+SET|INSERT)\\s|BEGIN\\s+STATEMENT\\s+SET).*");

    /** {@code SET 'key' = 'value'}, as in Flink's SQL client. */
    private static final Pattern SET =
            Pattern.compile("(?is)\\s*SET\\s+('(?:[^']|'')*')\\s*=\\s*('(?:[^']|'')*')\\s*");

    /** {@code RESET 'key'}. */
    private static final Pattern RESET = Pattern.compile("(?is)\\s*RESET\\s+('(?:[^']|'')*')\\s*");

    private static final Pattern LOADS_THE_MODULE =
            Pattern.compile(
                    "(?is)\\s*LOAD\\s+MODULE\\s+`?" + ActivationsModule.IDENTIFIER + "`?(\\s.*)?");

    @Spec CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "FILE",
            description = "The SQL script; - reads it from stdin.")
    String file;

    @Option(
            names = "--verbose",
            description = "Also print on stderr which kernels run (vector or scalar, and why).")
    boolean verbose; // read by ActivationsCli before logging starts

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description = "The local Flink's parallelism (${DEFAULT-VALUE}).",
            defaultValue = "1")
    int parallelism;

    @Override
    public Integer call() throws IOException, JobCannotRunException {
        if (parallelism < 1) {
            throw new ParameterException(
                    spec.commandLine(), "--parallelism must be at least 1, got " + parallelism);
        }
        String script;
        if (file.equals("-")) {
            script = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        } else {
            Path path = Path.of(file);
            if (!Files.isReadable(path)) {
                throw new ParameterException(
                        spec.commandLine(), "cannot read the script '" + file + "'");
            }
            script = Files.readString(path);
        }
        List<Statement> statements = statements(script);
        if (statements.isEmpty()) {
            throw new ParameterException(
                    spec.commandLine(), "the script '" + file + "' has no statement");
        }
        // One local cluster for the whole script, so that a job's results and status stay readable
        // after it ends (a per-job local cluster shuts down with its job, under the INSERT's
        // result).
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        MiniClusterConfiguration local =
                new MiniClusterConfiguration.Builder()
                        .setConfiguration(conf)
                        .setNumTaskManagers(1)
                        .setNumSlotsPerTaskManager(parallelism)
                        .build();
        try (MiniCluster cluster = new MiniCluster(local)) {
            cluster.start();
            URI rest = cluster.getRestAddress().get();
            Configuration session = new Configuration();
            session.set(DeploymentOptions.TARGET, "remote");
            session.set(RestOptions.ADDRESS, rest.getHost());
            session.set(RestOptions.PORT, rest.getPort());
            session.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
            // the SET statements that open the script configure the environment itself (its
            // runtime mode above all); later ones change the table configuration
            int first = 0;
            while (first < statements.size() && set(statements.get(first), session)) {
                first++;
            }
            TableEnvironment tables =
                    TableEnvironment.create(
                            EnvironmentSettings.newInstance().withConfiguration(session).build());
            run(statements.subList(first, statements.size()), tables, spec.commandLine().getOut());
        } catch (JobCannotRunException e) {
            throw e;
        } catch (Exception e) {
            throw new JobCannotRunException(
                    "could not run a local Flink: "
                            + io.flinkactivations.jobs.local.LocalJobRunner.cause(e));
        }
        return 0;
    }

    /**
     * Applies {@code s} to {@code conf} if it is {@code SET 'key' = 'value'} or {@code RESET
     * 'key'}, as Flink's SQL client takes them; false for any other statement.
     */
    private static boolean set(Statement s, Configuration conf) {
        Matcher set = SET.matcher(s.text());
        if (set.matches()) {
            conf.setString(unquote(set.group(1)), unquote(set.group(2)));
            return true;
        }
        Matcher reset = RESET.matcher(s.text());
        if (reset.matches()) {
            conf.removeKey(unquote(reset.group(1)));
            return true;
        }
        return false;
    }

    private static String unquote(String quoted) {
        return quoted.substring(1, quoted.length() - 1).replace("''", "'");
    }

    /** Runs the statements in order; the first that fails ends the script. */
    private static void run(List<Statement> statements, TableEnvironment tables, PrintWriter out)
            throws JobCannotRunException {
        if (statements.stream().noneMatch(s -> LOADS_THE_MODULE.matcher(s.text()).matches())) {
            tables.loadModule(ActivationsModule.IDENTIFIER, ActivationsModule.INSTANCE);
        }
        for (Statement s : statements) {
            try {
                if (SET.matcher(s.text()).matches() || RESET.matcher(s.text()).matches()) {
                    if (s.text()
                            .toLowerCase(Locale.ROOT)
                            .contains(ExecutionOptions.RUNTIME_MODE.key())) {
                        throw new IllegalArgumentException(
                                ExecutionOptions.RUNTIME_MODE.key()
                                        + " is set before the script's first other statement, not later");
                    }
                    set(s, tables.getConfig().getConfiguration());
                    continue;
                }
                TableResult result = tables.executeSql(s.text());
                Optional<JobClient> job = result.getJobClient();
                if (job.isPresent() && WRITES.matcher(s.text()).matches()) {
                    job.get()
                            .getJobExecutionResult()
                            .get(); // an INSERT or a statement set: its job, to its end
                    out.println(written(s, result));
                } else if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT) {
                    print(result, out); // a query's rows, or what SHOW, DESCRIBE and EXPLAIN say
                }
            } catch (Exception e) {
                throw new JobCannotRunException(
                        String.format(
                                "statement %d (line %d) failed: %s",
                                s.number(),
                                s.line(),
                                io.flinkactivations.jobs.local.LocalJobRunner.cause(e)));
            } finally {
                out.flush();
            }
        }
    }

    /**
     * What a finished INSERT or statement set wrote: the rows per table where Flink counts them,
     * else that its job finished.
     */
    private static String written(Statement s, TableResult result) throws Exception {
        List<String> tables = result.getResolvedSchema().getColumnNames();
        List<String> counts = new ArrayList<>();
        try (CloseableIterator<Row> rows = result.collect()) {
            if (rows.hasNext()) {
                Row row = rows.next();
                for (int i = 0; i < row.getArity() && i < tables.size(); i++) {
                    if (row.getField(i) instanceof Number n && n.longValue() >= 0) {
                        counts.add(
                                n.longValue()
                                        + (n.longValue() == 1 ? " row to " : " rows to ")
                                        + tables.get(i));
                    }
                }
            }
        }
        String what =
                counts.size() == tables.size() && !counts.isEmpty()
                        ? "wrote " + String.join(", ", counts)
                        : "its job finished writing to "
                                + String.join(", ", tables)
                                + " (the sink gives no count of the rows)";
        return String.format("sql: statement %d (line %d): %s", s.number(), s.line(), what);
    }

    /**
     * The columns' names, then one line per row with every value in full ({@code |} between values;
     * a row that retracts or updates an earlier one starts with its kind, e.g. {@code -U}).
     */
    private static void print(TableResult result, PrintWriter out) throws Exception {
        out.println(String.join(" | ", result.getResolvedSchema().getColumnNames()));
        try (CloseableIterator<Row> rows = result.collect()) {
            while (rows.hasNext()) {
                Row row = rows.next();
                StringJoiner line =
                        new StringJoiner(
                                " | ",
                                row.getKind() == RowKind.INSERT
                                        ? ""
                                        : row.getKind().shortString() + " ",
                                "");
                for (int i = 0; i < row.getArity(); i++) {
                    Object v = row.getField(i);
                    line.add(v instanceof Object[] a ? Arrays.deepToString(a) : String.valueOf(v));
                }
                out.println(line);
                out.flush();
            }
        }
    }

    /**
     * One statement of a script: its text without the ';', its number from 1 and its first line.
     */
    record Statement(int number, int line, String text) {}

    /**
     * Splits a script at the semicolons that end statements: not in '...' strings, "..." or `...`
     * identifiers, -- or /* *&#47; comments, nor inside {@code EXECUTE STATEMENT SET BEGIN ...
     * END}.
     */
    static List<Statement> statements(String script) {
        List<Statement> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int startLine = -1;
        boolean inSet = false;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            char next = i + 1 < script.length() ? script.charAt(i + 1) : 0;
            if (c == '-' && next == '-') { // a comment to the end of the line
                while (i < script.length() && script.charAt(i) != '\n') {
                    i++;
                }
                line++;
                current.append('\n');
                continue;
            }
            if (c == '/' && next == '*') {
                int end = script.indexOf("*/", i + 2);
                end = end < 0 ? script.length() : end + 2;
                for (int k = i; k < end; k++) {
                    line += script.charAt(k) == '\n' ? 1 : 0;
                }
                current.append(' ');
                i = end - 1;
                continue;
            }
            if (c == '\'' || c == '"'
                    || c == '`') { // a quoted part, '' (or "" ``) being the quote itself
                int k = i + 1;
                while (k < script.length()) {
                    if (script.charAt(k) == c) {
                        if (k + 1 < script.length() && script.charAt(k + 1) == c) {
                            k += 2;
                            continue;
                        }
                        break;
                    }
                    k++;
                }
                String quoted = script.substring(i, Math.min(k + 1, script.length()));
                if (startLine < 0) {
                    startLine = line;
                }
                line += (int) quoted.chars().filter(ch -> ch == '\n').count();
                current.append(quoted);
                i = k;
                continue;
            }
            if (c == ';') {
                String text = current.toString().strip();
                String upper = text.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
                if (upper.startsWith("EXECUTE STATEMENT SET BEGIN")) {
                    inSet = true;
                }
                if (inSet && !upper.endsWith(" END") && !upper.equals("END")) {
                    current.append(c); // a statement of the set
                    continue;
                }
                inSet = false;
                if (!text.isEmpty()) {
                    out.add(new Statement(out.size() + 1, startLine, text));
                }
                current.setLength(0);
                startLine = -1;
                continue;
            }
            if (c == '\n') {
                line++;
            } else if (!Character.isWhitespace(c) && startLine < 0) {
                startLine = line;
            }
            current.append(c);
        }
        String rest = current.toString().strip();
        if (!rest.isEmpty()) {
            out.add(new Statement(out.size() + 1, startLine, rest));
        }
        return out;
    }
}
