package io.flinkactivations.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkactivations.jobs.local.EmbeddedKafka;
import io.flinkactivations.jobs.testutils.LogCapture;
import io.flinkactivations.testutils.ScriptRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The job against a secured broker, as production clusters run: clients on SASL (SCRAM-SHA-512)
 * over TLS, an authorizer that refuses what no ACL allows, and a principal with only the ACLs the
 * job needs. The job runs end to end authenticated with its secrets in a properties file and an
 * environment variable; a wrong password and a missing ACL each stop it before it starts with one
 * line; the password is in no log line, no exception message and no Flink job configuration.
 *
 * <p>The broker (in process, KRaft) has a PLAINTEXT listener for the test's own super-user admin
 * and a SASL_SSL listener for the job; its TLS certificate is made with the JDK's keytool.
 */
class SecureKafkaITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final String PASSWORD = "s3cret-Pa55word-" + Long.toHexString(System.nanoTime());
    private static final String JOB_USER = "flink-job";
    private static final String STORE_PASSWORD = "store-" + Long.toHexString(System.nanoTime());

    @TempDir static Path dir;
    static EmbeddedKafka kafka;
    static Path truststore;

    @BeforeAll
    static void startSecureBroker() throws Exception {
        Path keystore = dir.resolve("broker.p12");
        truststore = dir.resolve("truststore.p12");
        Path cert = dir.resolve("broker.pem");
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                STORE_PASSWORD,
                "-keypass",
                STORE_PASSWORD);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "broker",
                "-keystore",
                keystore.toString(),
                "-storepass",
                STORE_PASSWORD,
                "-file",
                cert.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "broker",
                "-file",
                cert.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                truststore.toString(),
                "-storepass",
                STORE_PASSWORD);
        kafka =
                EmbeddedKafka.start(
                        null,
                        Map.ofEntries(
                                Map.entry(
                                        "listeners",
                                        "EXTERNAL://localhost:0,CONTROLLER://localhost:0,SECURE://localhost:0"),
                                Map.entry(
                                        "listener.security.protocol.map",
                                        "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,SECURE:SASL_SSL"),
                                Map.entry("sasl.enabled.mechanisms", "SCRAM-SHA-512"),
                                Map.entry(
                                        "listener.name.secure.scram-sha-512.sasl.jaas.config",
                                        "org.apache.kafka.common.security.scram.ScramLoginModule required;"),
                                Map.entry("listener.name.secure.ssl.keystore.type", "PKCS12"),
                                Map.entry(
                                        "listener.name.secure.ssl.keystore.location",
                                        keystore.toString()),
                                Map.entry(
                                        "listener.name.secure.ssl.keystore.password",
                                        STORE_PASSWORD),
                                Map.entry("listener.name.secure.ssl.key.password", STORE_PASSWORD),
                                Map.entry(
                                        "authorizer.class.name",
                                        "org.apache.kafka.metadata.authorizer.StandardAuthorizer"),
                                Map.entry("allow.everyone.if.no.acl.found", "false"),
                                // the PLAINTEXT listeners (the broker's own, the test's admin) are
                                // the super user
                                Map.entry("super.users", "User:ANONYMOUS")));
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.alterUserScramCredentials(
                            List.of(
                                    new UserScramCredentialUpsertion(
                                            JOB_USER,
                                            new ScramCredentialInfo(
                                                    ScramMechanism.SCRAM_SHA_512, 4096),
                                            PASSWORD)))
                    .all()
                    .get();
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "keytool")
                                        .toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    /**
     * Topics {@code name}-in, -out, -out-dlq and the ACLs a job needs on them, minus {@code
     * withhold}.
     */
    private static void topicsAndAcls(String name, AclBinding... withhold) throws Exception {
        List<AclBinding> acls =
                new ArrayList<>(
                        List.of(
                                allow(
                                        ResourceType.TOPIC,
                                        name + "-in",
                                        PatternType.LITERAL,
                                        AclOperation.READ),
                                allow(
                                        ResourceType.TOPIC,
                                        name + "-out",
                                        PatternType.LITERAL,
                                        AclOperation.WRITE),
                                allow(
                                        ResourceType.TOPIC,
                                        name + "-out-dlq",
                                        PatternType.LITERAL,
                                        AclOperation.WRITE),
                                allow(
                                        ResourceType.TOPIC,
                                        name + "-out",
                                        PatternType.LITERAL,
                                        AclOperation.DESCRIBE_CONFIGS),
                                allow(
                                        ResourceType.GROUP,
                                        name,
                                        PatternType.LITERAL,
                                        AclOperation.READ),
                                allow(
                                        ResourceType.TRANSACTIONAL_ID,
                                        name + "-tx",
                                        PatternType.PREFIXED,
                                        AclOperation.WRITE)));
        acls.removeAll(List.of(withhold));
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(name + "-in", 2, (short) 1),
                                    new NewTopic(name + "-out", 1, (short) 1),
                                    new NewTopic(name + "-out-dlq", 1, (short) 1)))
                    .all()
                    .get();
            admin.createAcls(acls).all().get();
        }
    }

    private static AclBinding allow(
            ResourceType type, String name, PatternType pattern, AclOperation op) {
        return new AclBinding(
                new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + JOB_USER, "*", op, AclPermissionType.ALLOW));
    }

    /** The client settings in a file, as a user keeps them; the password is not among them. */
    private static Path securityFile() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "security.protocol=SASL_SSL",
                        "sasl.mechanism=SCRAM-SHA-512",
                        "ssl.truststore.type=PKCS12",
                        "ssl.truststore.location=" + truststore,
                        "ssl.truststore.password=" + STORE_PASSWORD,
                        ""));
        return file;
    }

    private static String jaas(String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + JOB_USER
                + "\" password=\""
                + password
                + "\";";
    }

    private static String[] flags(String name, String... more) throws Exception {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.listenerAddress("SECURE"),
                                "--input-topic",
                                name + "-in",
                                "--output-topic",
                                name + "-out",
                                "--group-id",
                                name,
                                "--transactional-id-prefix",
                                name + "-tx",
                                "--activation",
                                "relu",
                                "--bounded",
                                "--starting-offsets",
                                "earliest",
                                "--checkpoint-interval",
                                "500ms",
                                "--parallelism",
                                "2",
                                "--check-timeout",
                                "20s",
                                "--kafka-properties-file",
                                securityFile().toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void theJobRunsAuthenticatedAndItsPasswordIsNowhere() throws Exception {
        String name = "secure";
        topicsAndAcls(name);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(
                    new ProducerRecord<>(
                            name + "-in",
                            ("k" + i).getBytes(StandardCharsets.UTF_8),
                            ("{\"id\": " + i + ", \"features\": [" + i + ", -1]}")
                                    .getBytes(StandardCharsets.UTF_8)));
        }
        records.add(
                new ProducerRecord<>(
                        name + "-in", null, "not json".getBytes(StandardCharsets.UTF_8)));
        kafka.send(records);

        List<String> logs;
        String jobConfiguration;
        try (LogCapture capture = LogCapture.start()) {
            JobOptions options = new JobOptions();
            new CommandLine(options).parseArgs(flags(name));
            JobConfig config =
                    options.validate(Map.of("ACTIVATIONS_KAFKA_SASL_JAAS_CONFIG", jaas(PASSWORD)));
            ActivationPipeline.SinkLimits limits = KafkaChecks.run(config);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            ActivationPipeline.build(env, config, limits);
            StreamGraph graph = env.getStreamGraph(false);
            jobConfiguration =
                    env.getConfiguration().toString()
                            + graph.getJobConfiguration().toMap()
                            + env.getConfig().getGlobalJobParameters().toMap()
                            + config;
            env.execute(graph);
            logs = capture.lines();
        }
        List<ConsumerRecord<byte[], byte[]>> out =
                kafka.read(name + "-out", 40, Duration.ofSeconds(60), Duration.ofMillis(500));
        List<ConsumerRecord<byte[], byte[]>> dlq =
                kafka.read(name + "-out-dlq", 1, Duration.ofSeconds(30), Duration.ofMillis(500));
        assertThat(out)
                .hasSize(40)
                .allSatisfy(
                        r ->
                                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                                        .contains("\"features\": [")
                                        .contains(",0.0],\"activation\":\"relu\""));
        assertThat(dlq)
                .singleElement()
                .satisfies(
                        r ->
                                assertThat(r.value())
                                        .isEqualTo("not json".getBytes(StandardCharsets.UTF_8)));

        assertThat(logs)
                .as("the clients logged their settings")
                .anyMatch(l -> l.contains("sasl.jaas.config"))
                .hasSizeGreaterThan(100);
        assertThat(logs)
                .noneMatch(l -> l.contains(PASSWORD))
                .noneMatch(l -> l.contains(STORE_PASSWORD));
        assertThat(jobConfiguration).doesNotContain(PASSWORD).doesNotContain(STORE_PASSWORD);
    }

    @Test
    void aWrongPasswordStopsTheJobBeforeItStartsWithOneLine() throws Exception {
        String name = "wrong-password";
        topicsAndAcls(name);
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(flags(name));
        String wrong = PASSWORD + "-not";
        JobConfig config =
                options.validate(Map.of("ACTIVATIONS_KAFKA_SASL_JAAS_CONFIG", jaas(wrong)));
        assertThatThrownBy(() -> KafkaChecks.run(config))
                .isInstanceOf(JobCannotRunException.class)
                .hasMessageContaining("refused the job's credentials")
                .hasMessageContaining("sasl.jaas.config")
                .satisfies(
                        e -> assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain("\n"));

        // the same through bin/activations: one line on the console, exit code 1, nothing started
        ScriptRun run = runCommand(name, wrong);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err().lines().filter(l -> l.startsWith("run: ")))
                .singleElement()
                .asString()
                .contains("refused the job's credentials");
        assertThat(run.err())
                .doesNotContain(wrong)
                .doesNotContain("\tat ")
                .doesNotContain("the job starts");
    }

    @Test
    void aMissingAclStopsTheJobBeforeItStartsWithOneLine() throws Exception {
        String name = "missing-acl";
        topicsAndAcls(
                name,
                allow(
                        ResourceType.TOPIC,
                        name + "-out-dlq",
                        PatternType.LITERAL,
                        AclOperation.WRITE),
                allow(
                        ResourceType.TRANSACTIONAL_ID,
                        name + "-tx",
                        PatternType.PREFIXED,
                        AclOperation.WRITE));
        ScriptRun run = runCommand(name, PASSWORD);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err().lines().filter(l -> l.startsWith("run: ")))
                .singleElement()
                .asString()
                .contains("not authorized to use the dead-letter topic '" + name + "-out-dlq'")
                .contains("grant the job's principal WRITE on it")
                .contains("not authorized to use transactional ids '" + name + "-tx-*'");
        assertThat(run.err()).doesNotContain(PASSWORD).doesNotContain("\tat ");
    }

    /** {@code bin/activations run} with the password in the environment, as a user runs it. */
    private static ScriptRun runCommand(String name, String password) throws Exception {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(List.of(flags(name)));
        return ScriptRun.run(
                ScriptRun.ROOT.resolve("bin/activations"),
                "",
                Duration.ofSeconds(90),
                Map.of("ACTIVATIONS_KAFKA_SASL_JAAS_CONFIG", jaas(password)),
                args.toArray(String[]::new));
    }
}
