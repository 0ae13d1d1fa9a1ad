package io.flinkactivations.jobs;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/activations}: the command line of flink-activations. */
@Command(
        name = "activations",
        mixinStandardHelpOptions = true,
        versionProvider = ActivationsCli.Version.class,
        description = "PyTorch-exact neural-network activations, on JSON lines or as a Flink job between Kafka topics.",
        subcommands = {ApplyCommand.class, ActivationJob.class, DemoCommand.class, JobBenchmarkCommand.class,
            CommandLine.HelpCommand.class})
public final class ActivationsCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (0 ok, 1 bad input lines, 2 bad arguments). */
    public static int run(String... args) {
        return new CommandLine(new ActivationsCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(ActivationsCli::badArguments)
                .execute(args);
    }

    /** A bad argument: the message and where to read more, not the whole usage. */
    static int badArguments(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
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
