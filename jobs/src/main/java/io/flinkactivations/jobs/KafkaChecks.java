package io.flinkactivations.jobs;

import io.flinkactivations.kafka.TopicLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the job checks before it starts, within a bounded time: that a broker answers (with the
 * job's credentials), that its topics exist, that it may read the input topics with its consumer
 * group, write the output and dead-letter topics and, for exactly-once, use its transactional ids;
 * and what the topics it writes take ({@link TopicLimits}). Each problem found is one line that
 * says what to fix; they stop the job before Flink starts it.
 */
final class KafkaChecks {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaChecks.class);

    /**
     * Below this, not even a dead letter's headers fit: a setting gone wrong, not a topic to write.
     */
    static final int MIN_RECORD_BYTES = 4096;

    private final JobConfig c;
    private final long deadline;

    private KafkaChecks(JobConfig c) {
        this.c = c;
        this.deadline = System.nanoTime() + c.checkTimeout().toNanos();
    }

    /** Runs the checks; throws with every problem found, in one line. */
    static ActivationPipeline.SinkLimits run(JobConfig c) throws JobCannotRunException {
        return new KafkaChecks(c).run();
    }

    private ActivationPipeline.SinkLimits run() throws JobCannotRunException {
        String refused = everyAddressRefuses(c.bootstrapServers(), c.checkTimeout());
        if (refused != null) {
            throw new JobCannotRunException(
                    "nothing listens at "
                            + c.bootstrapServers()
                            + " ("
                            + refused
                            + "): check --bootstrap-servers and that the brokers are up");
        }
        Properties props = new Properties();
        props.putAll(c.kafkaProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrapServers());
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, c.checkTimeout().toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "flink-activations-checks");
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (KafkaException e) {
            throw new JobCannotRunException(
                    "Kafka client settings: "
                            + rootMessage(e)
                            + " (check --bootstrap-servers and the Kafka properties)");
        }
        try {
            return check(admin);
        } finally {
            // not close(): it waits without bound for the calls a silent broker never answers
            admin.close(Duration.ZERO);
        }
    }

    private ActivationPipeline.SinkLimits check(Admin admin) throws JobCannotRunException {
        try {
            await(admin.describeCluster().nodes(), "reach a broker");
        } catch (TopicProblem p) {
            throw new JobCannotRunException(
                    "cannot use Kafka at "
                            + c.bootstrapServers()
                            + ": "
                            + rootMessage(p.getCause()));
        }

        List<String> problems = new ArrayList<>();
        Set<String> all = new LinkedHashSet<>(c.inputTopics());
        all.add(c.outputTopic());
        all.add(c.dlqTopic());
        Map<String, Set<AclOperation>> allowed = new LinkedHashMap<>();
        Map<String, ? extends Future<TopicDescription>> topics =
                admin.describeTopics(
                                all, new DescribeTopicsOptions().includeAuthorizedOperations(true))
                        .topicNameValues();
        for (String topic : all) {
            String role =
                    c.inputTopics().contains(topic)
                            ? "input"
                            : topic.equals(c.outputTopic()) ? "output" : "dead-letter";
            try {
                allowed.put(
                        topic,
                        await(topics.get(topic), "describe topic " + topic).authorizedOperations());
            } catch (TopicProblem p) {
                problems.add(
                        p.getCause() instanceof UnknownTopicOrPartitionException
                                ? "the "
                                        + role
                                        + " topic '"
                                        + topic
                                        + "' does not exist; create it first (the job does not"
                                        + " create topics)"
                                : "not authorized to use the "
                                        + role
                                        + " topic '"
                                        + topic
                                        + "' (grant the job's principal "
                                        + (role.equals("input") ? "READ" : "WRITE")
                                        + " on it)");
            }
        }
        for (Map.Entry<String, Set<AclOperation>> e : allowed.entrySet()) {
            AclOperation needed =
                    c.inputTopics().contains(e.getKey()) ? AclOperation.READ : AclOperation.WRITE;
            if (e.getValue() != null
                    && !e.getValue().contains(needed)
                    && !e.getValue().contains(AclOperation.ALL)) {
                problems.add(
                        "not authorized to "
                                + needed.name().toLowerCase(java.util.Locale.ROOT)
                                + " topic '"
                                + e.getKey()
                                + "' (grant the job's principal "
                                + needed
                                + " on it)");
            }
        }
        checkGroup(admin, problems);
        if (c.exactlyOnce()) {
            checkTransactionalIds(admin, problems);
        }
        if (!problems.isEmpty()) {
            throw new JobCannotRunException(String.join("; ", problems));
        }
        ActivationPipeline.SinkLimits limits = topicLimits(admin);
        for (TopicLimits l : List.of(limits.output(), limits.deadLetters())) {
            if (l.maxRecordBytes() < MIN_RECORD_BYTES) {
                throw new JobCannotRunException(
                        "the output and dead-letter topics must take records of at least "
                                + MIN_RECORD_BYTES
                                + " bytes, but "
                                + l
                                + " (raise max.message.bytes or max.request.size)");
            }
        }
        return limits;
    }

    private void checkGroup(Admin admin, List<String> problems) throws JobCannotRunException {
        try {
            ConsumerGroupDescription group =
                    await(
                            admin.describeConsumerGroups(
                                            List.of(c.groupId()),
                                            new DescribeConsumerGroupsOptions()
                                                    .includeAuthorizedOperations(true))
                                    .describedGroups()
                                    .get(c.groupId()),
                            "describe consumer group " + c.groupId());
            Set<AclOperation> ops = group.authorizedOperations();
            if (ops != null
                    && !ops.isEmpty()
                    && !ops.contains(AclOperation.READ)
                    && !ops.contains(AclOperation.ALL)) {
                problems.add(groupProblem());
            }
        } catch (TopicProblem p) {
            if (p.getCause() instanceof GroupAuthorizationException) {
                problems.add(groupProblem());
            } else if (!(p.getCause() instanceof GroupIdNotFoundException)) {
                LOG.warn(
                        "Could not check consumer group {}: {}",
                        c.groupId(),
                        rootMessage(p.getCause()));
            }
        }
    }

    private String groupProblem() {
        return "not authorized to use consumer group '"
                + c.groupId()
                + "' (grant the job's principal READ on the"
                + " group, or pick another with --group-id)";
    }

    /**
     * Asks for a transactional id the sink will use: a principal that may write it may describe it.
     */
    private void checkTransactionalIds(Admin admin, List<String> problems)
            throws JobCannotRunException {
        String id = c.transactionalIdPrefix() + "-out-0-1";
        try {
            await(
                    admin.describeTransactions(List.of(id)).description(id),
                    "describe transactional id " + id);
        } catch (TopicProblem p) {
            if (p.getCause() instanceof TransactionalIdAuthorizationException) {
                problems.add(
                        "not authorized to use transactional ids '"
                                + c.transactionalIdPrefix()
                                + "-*' for"
                                + " exactly-once (grant the job's principal WRITE on the TRANSACTIONAL_ID prefix, or set"
                                + " --transactional-id-prefix, or use --delivery at-least-once)");
            } else if (!(p.getCause() instanceof TransactionalIdNotFoundException)) {
                LOG.warn("Could not check transactional id {}: {}", id, rootMessage(p.getCause()));
            }
        }
    }

    /**
     * The topics' size and timestamp settings; Kafka's defaults where the job may not read them.
     */
    private ActivationPipeline.SinkLimits topicLimits(Admin admin) throws JobCannotRunException {
        Map<?, ?> producer = ActivationPipeline.producerProperties(c.kafkaProperties());
        ConfigResource out = new ConfigResource(ConfigResource.Type.TOPIC, c.outputTopic());
        ConfigResource dlq = new ConfigResource(ConfigResource.Type.TOPIC, c.dlqTopic());
        Map<ConfigResource, ? extends Future<Config>> configs =
                admin.describeConfigs(List.of(out, dlq)).values();
        return new ActivationPipeline.SinkLimits(
                TopicLimits.of(settings(configs.get(out), c.outputTopic()), producer),
                TopicLimits.of(settings(configs.get(dlq), c.dlqTopic()), producer));
    }

    private Map<String, String> settings(Future<Config> config, String topic)
            throws JobCannotRunException {
        Map<String, String> settings = new LinkedHashMap<>();
        try {
            await(config, "read the settings of topic " + topic)
                    .entries()
                    .forEach(
                            e -> {
                                if (e.value() != null) {
                                    settings.put(e.name(), e.value());
                                }
                            });
        } catch (TopicProblem p) {
            LOG.warn(
                    "Could not read the settings of topic {} ({}); assuming Kafka's defaults for its record size and"
                            + " timestamps",
                    topic,
                    rootMessage(p.getCause()));
        }
        return settings;
    }

    /**
     * A request's answer within the deadline; a problem with one topic, group or id as {@link
     * TopicProblem}.
     */
    private <T> T await(Future<T> future, String what) throws JobCannotRunException, TopicProblem {
        long left = deadline - System.nanoTime();
        try {
            return future.get(Math.max(left, 1), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new JobCannotRunException(timeoutMessage(what));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobCannotRunException("interrupted while waiting to " + what);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new JobCannotRunException(timeoutMessage(what));
            }
            if (cause instanceof SaslAuthenticationException) {
                throw new JobCannotRunException(
                        "Kafka at "
                                + c.bootstrapServers()
                                + " refused the job's credentials ("
                                + rootMessage(cause)
                                + "); check sasl.jaas.config in the Kafka properties");
            }
            if (cause instanceof SslAuthenticationException) {
                throw new JobCannotRunException(
                        "the TLS handshake with Kafka at "
                                + c.bootstrapServers()
                                + " failed ("
                                + rootMessage(cause)
                                + "); check the ssl.* Kafka properties");
            }
            if (cause instanceof AuthenticationException) {
                throw new JobCannotRunException(
                        "Kafka at "
                                + c.bootstrapServers()
                                + " did not authenticate the job ("
                                + rootMessage(cause)
                                + "); check security.protocol and the sasl.* Kafka properties");
            }
            throw new TopicProblem(cause);
        }
    }

    private String timeoutMessage(String what) {
        return "no answer from Kafka at "
                + c.bootstrapServers()
                + " within "
                + c.checkTimeout().toSeconds()
                + " s (trying to "
                + what
                + "): check --bootstrap-servers, that the brokers are up and reachable, and"
                + " that security.protocol matches their listener";
    }

    /** How long a bootstrap address may take to accept a TCP connection before the checks. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    /**
     * Why no bootstrap address can be connected to at all, when every one refuses the connection
     * (or names no host); null when one accepts it, or does not answer within {@link
     * #PROBE_TIMEOUT}: then the Kafka checks run and wait up to {@code --check-timeout}. Kafka's
     * client retries refused connections until its timeout, so a wrong port would otherwise cost
     * the whole of it.
     */
    static String everyAddressRefuses(String bootstrapServers, Duration checkTimeout) {
        int timeoutMs =
                (int) Math.min(PROBE_TIMEOUT.toMillis(), Math.max(1, checkTimeout.toMillis()));
        List<String> reasons = new ArrayList<>();
        for (String address : bootstrapServers.split(",")) {
            String a = address.trim();
            String host = org.apache.kafka.common.utils.Utils.getHost(a);
            Integer port = org.apache.kafka.common.utils.Utils.getPort(a);
            if (host == null || port == null) {
                return null; // not host:port: Kafka's client says what is wrong with it
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), timeoutMs);
                return null; // something listens: the Kafka checks say whether it is Kafka
            } catch (java.net.UnknownHostException e) {
                reasons.add("unknown host " + host);
            } catch (java.net.ConnectException e) {
                reasons.add("connection refused");
            } catch (java.io.IOException e) {
                return null; // no answer, or no route: the checks wait for it
            }
        }
        return reasons.stream().distinct().collect(java.util.stream.Collectors.joining(", "));
    }

    /** One request's failure, for the caller to say what it means. */
    private static final class TopicProblem extends Exception {
        private static final long serialVersionUID = 1L;

        TopicProblem(Throwable cause) {
            super(cause);
        }
    }

    /** The innermost message of a chain, on one line. */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.replaceAll("\\s+", " ").trim();
    }
}
