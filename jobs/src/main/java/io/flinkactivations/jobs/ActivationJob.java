package io.flinkactivations.jobs;

import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The deployable job: {@code flink run flink-activations-jobs-<version>-flink.jar <flags>}, and
 * {@code bin/activations run <flags>} on an embedded local Flink. The flags are {@link JobOptions}.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs the Flink job: reads feature vectors from Kafka, applies the activation (or windowed softmax) and "
                + "writes the results to Kafka, bad records to the dead-letter topic, exactly once by default.",
            "Run with bin/activations it uses an embedded local Flink; the same flags work with flink run on a cluster.",
            ""})
public final class ActivationJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ActivationJob.class);

    @Mixin
    JobOptions options;

    @Spec
    CommandSpec spec;

    /** Entry point of the deployable jar. */
    public static void main(String[] args) {
        int code = new CommandLine(new ActivationJob())
                .setParameterExceptionHandler(ActivationsCli::badArguments)
                .execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() throws Exception {
        JobConfig config;
        try {
            config = options.validate();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        LOG.info("Starting flink-activations: {}", config.describe());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ActivationPipeline.build(env, config);
        env.execute("flink-activations " + config.activation() + (config.window() == null ? "" : " over " + config.window()));
        return 0;
    }
}
