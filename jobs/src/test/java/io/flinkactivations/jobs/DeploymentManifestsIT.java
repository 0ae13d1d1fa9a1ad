package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The deployment files run what the build makes: the Dockerfile copies the deployable jar the build
 * produces to the path the manifests name, with the main class and arguments the job accepts, and
 * the topics they use exist. (CI also validates docker-compose.yml with docker-compose itself.)
 */
class DeploymentManifestsIT {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    record Copy(String source, String destination) {}

    static Copy dockerfileCopy() throws Exception {
        Matcher m =
                Pattern.compile("(?m)^COPY(?:\\s+--\\S+)*\\s+(\\S+)\\s+(\\S+)\\s*$")
                        .matcher(Files.readString(ROOT.resolve("deploy/docker/Dockerfile")));
        assertThat(m.find()).as("a COPY line in the Dockerfile").isTrue();
        return new Copy(m.group(1), m.group(2));
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The job's flags must pass the job's own validation. */
    static JobConfig validate(List<String> args) {
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(args.toArray(String[]::new));
        return options.validate();
    }

    @Test
    void theDockerfileCopiesTheJarTheBuildMakes() throws Exception {
        Copy copy = dockerfileCopy();
        assertThat(Files.readString(ROOT.resolve("deploy/docker/Dockerfile")))
                .contains("FROM flink:2.2.1-java17");
        PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + copy.source());
        List<Path> matches;
        try (Stream<Path> files = Files.list(ROOT.resolve("jobs/target"))) {
            matches = files.map(ROOT::relativize).filter(glob::matches).toList();
        }
        assertThat(matches).as("files the COPY source matches").hasSize(1);
        try (JarFile jar = new JarFile(ROOT.resolve(matches.get(0)).toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(ActivationJob.class.getName());
        }
        assertThat(copy.destination()).startsWith("/opt/flink/usrlib/").endsWith(".jar");
    }

    @Test
    void dockerComposeRunsTheJobWithValidArguments() throws Exception {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        JsonNode services = compose.get("services");
        assertThat(services.fieldNames())
                .toIterable()
                .contains("kafka", "topics", "jobmanager", "taskmanager", "producer", "printer");
        services.forEach(
                s -> {
                    if (s.has("image")) {
                        assertThat(s.get("image").asText())
                                .as("pinned image")
                                .matches("[^:]+:[0-9][^:]*")
                                .doesNotEndWith(":latest");
                    }
                });
        assertThat(services.get("kafka").get("image").asText()).isEqualTo("apache/kafka:4.2.0");

        List<String> command = strings(services.get("jobmanager").get("command"));
        assertThat(command.get(0)).isEqualTo("standalone-job");
        assertThat(command.get(1)).isEqualTo("--job-classname");
        assertThat(command.get(2)).isEqualTo(ActivationJob.class.getName());
        JobConfig config = validate(command.subList(3, command.size()));
        String topicsScript = strings(services.get("topics").get("command")).get(0);
        for (String topic :
                List.of(config.inputTopics().get(0), config.outputTopic(), config.dlqTopic())) {
            assertThat(topicsScript).contains(topic);
        }
        assertThat(services.get("taskmanager").get("environment").get("FLINK_PROPERTIES").asText())
                .contains("env.java.opts.taskmanager: --add-modules=jdk.incubator.vector");
        assertThat(services.get("jobmanager").get("build").get("dockerfile").asText())
                .isEqualTo("deploy/docker/Dockerfile");
        assertThat(
                        services.get("taskmanager")
                                .get("depends_on")
                                .get("jobmanager")
                                .get("condition")
                                .asText())
                .isEqualTo("service_healthy");
        assertThat(compose.get("volumes").has("checkpoints")).isTrue();
    }

    @Test
    void theFlinkDeploymentRunsTheJarTheImageHoldsWithValidArguments() throws Exception {
        JsonNode d = YAML.readTree(ROOT.resolve("deploy/k8s/flink-deployment.yaml").toFile());
        assertThat(d.get("kind").asText()).isEqualTo("FlinkDeployment");
        JsonNode job = d.get("spec").get("job");
        assertThat(job.get("jarURI").asText())
                .isEqualTo("local://" + dockerfileCopy().destination());
        assertThat(job.get("entryClass").asText()).isEqualTo(ActivationJob.class.getName());
        assertThat(job.get("upgradeMode").asText()).isIn("savepoint", "last-state");
        JobConfig config = validate(strings(job.get("args")));
        JsonNode conf = d.get("spec").get("flinkConfiguration");
        assertThat(conf.get("env.java.opts.taskmanager").asText())
                .isEqualTo("--add-modules=jdk.incubator.vector");
        assertThat(conf.has("execution.checkpointing.dir")).isTrue();
        assertThat(conf.has("execution.checkpointing.savepoint-dir")).isTrue();
        assertThat(d.get("spec").get("taskManager").get("resource").has("memory")).isTrue();
        assertThat(d.get("spec").get("jobManager").get("resource").has("cpu")).isTrue();

        List<String> topics = new ArrayList<>();
        try (MappingIterator<JsonNode> docs =
                YAML.readerFor(JsonNode.class)
                        .readValues(ROOT.resolve("deploy/k8s/kafka-topics.yaml").toFile())) {
            docs.forEachRemaining(
                    t -> {
                        assertThat(t.get("kind").asText()).isEqualTo("KafkaTopic");
                        topics.add(t.get("metadata").get("name").asText());
                    });
        }
        assertThat(topics)
                .contains(config.inputTopics().get(0), config.outputTopic(), config.dlqTopic());
    }
}
