package io.flinkactivations.jobs;

import io.flinkactivations.jobs.local.LocalJobRunner;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
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
 *
 * <p>Before Flink starts the job, {@link KafkaChecks} checks the brokers, topics and permissions
 * and reads what the output topics take; a problem stops the command with one line and exit code 1.
 * On the embedded Flink, each failure and restart is one line on the console, and a job that fails
 * for good ends the command with exit code 1.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the Flink job: reads feature vectors from Kafka, applies the activation (or windowed softmax) and "
                    + "writes the results to Kafka, bad records to the dead-letter topic, exactly once by default.",
            "Run with bin/activations it uses an embedded local Flink; the same flags work with flink run on a cluster.",
            "The topics must exist; the job checks them, and its permissions, before it starts.",
            ""
        })
@Internal
public final class ActivationJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ActivationJob.class);

    @Mixin JobOptions options;

    @Spec CommandSpec spec;

    /** Entry point of the deployable jar. */
    public static void main(String[] args) {
        int code = ActivationsCli.commandLine(new ActivationJob()).execute(args);
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
        ActivationPipeline.SinkLimits limits = KafkaChecks.run(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        boolean embedded = env instanceof LocalStreamEnvironment;
        Configuration conf = new Configuration();
        if (embedded || config.restartStrategyGiven()) {
            config.restartStrategy().applyTo(conf);
            env.configure(conf);
        }
        ActivationPipeline.build(env, config, limits);
        String name =
                "flink-activations "
                        + config.activation()
                        + (config.window() == null ? "" : " over " + config.window());
        if (!embedded) {
            env.execute(name);
            return 0;
        }
        PrintWriter console = spec.commandLine().getErr();
        console.println(
                "run: checked Kafka at "
                        + config.bootstrapServers()
                        + "; the job starts: "
                        + config.activation()
                        + (config.window() == null ? "" : " over " + config.window())
                        + " from "
                        + config.inputTopics()
                        + " to "
                        + config.outputTopic()
                        + ", dead letters to "
                        + config.dlqTopic());
        try {
            LocalJobRunner.run(env, conf, name, config.restartStrategy().toString(), console);
        } catch (LocalJobRunner.Failed e) {
            throw new JobCannotRunException(e.getMessage());
        }
        return 0;
    }
}
