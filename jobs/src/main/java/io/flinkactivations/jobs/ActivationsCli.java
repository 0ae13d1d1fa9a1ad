package io.flinkactivations.jobs;

import org.apache.flink.annotation.Internal;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/activations}: the command line of flink-activations. */
@Command(
        name = "activations",
        mixinStandardHelpOptions = true,
        versionProvider = ActivationsCli.Version.class,
        description =
                "PyTorch-exact neural-network activations, on JSON lines, as a Flink job between Kafka topics, or in Flink SQL.",
        subcommands = {
            ApplyCommand.class,
            ActivationJob.class,
            SqlCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class
        })
@Internal
public final class ActivationsCli {

    /** The system property that sets the level of the kernels' log line on the console. */
    static final String KERNELS_LOG = "activations.log.kernels";

    public static void main(String[] args) {
        // before anything logs: apply and sql print results on the console, where the kernels'
        // line would sit between a query's header and its rows; --verbose brings it back
        if (System.getProperty(KERNELS_LOG) == null) {
            System.setProperty(KERNELS_LOG, quiet(args) ? "WARN" : "INFO");
        }
        System.exit(run(args));
    }

    /** True for apply and sql without --verbose. */
    static boolean quiet(String... args) {
        String command = null;
        for (String a : args) {
            if (a.equals("--verbose")) {
                return false;
            }
            if (command == null && !a.startsWith("-")) {
                command = a;
            }
        }
        return "apply".equals(command) || "sql".equals(command);
    }

    /**
     * Runs the command line and returns its exit code (0 ok, 1 bad input lines or a job that cannot
     * run, 2 bad arguments).
     */
    public static int run(String... args) {
        return commandLine(new ActivationsCli()).execute(args);
    }

    /**
     * The command line of {@code command}, with this project's handling of bad arguments and
     * failures.
     */
    public static CommandLine commandLine(Object command) {
        return new CommandLine(command)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(ActivationsCli::badArguments)
                .setExecutionExceptionHandler(ActivationsCli::failed);
    }

    /**
     * A command that failed: one line on the console, exit code 1. A {@link
     * JobCannotRunException}'s message says what to fix; anything else is named by its innermost
     * cause (the stack trace goes to the log, at debug level).
     */
    static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String line =
                e instanceof JobCannotRunException
                        ? e.getMessage()
                        : "failed: " + io.flinkactivations.jobs.local.LocalJobRunner.cause(e);
        org.slf4j.LoggerFactory.getLogger(ActivationsCli.class)
                .debug("{} failed", cmd.getCommandName(), e);
        cmd.getErr().println(cmd.getCommandName() + ": " + line);
        return 1;
    }

    /** A bad argument: the message and where to read more, not the whole usage. */
    static int badArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
        cmd.getErr()
                .println(
                        "Try '"
                                + cmd.getCommandSpec().qualifiedName()
                                + " --help' for more information.");
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ActivationsCli.class.getPackage().getImplementationVersion();
            return new String[] {"flink-activations " + (v == null ? "(development build)" : v)};
        }
    }
}
