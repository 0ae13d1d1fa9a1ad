package io.flinkactivations.jobs.testutils;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every log line of this JVM at INFO and above, with its stack trace, from {@link #start} to {@link
 * #close}: Flink's, Kafka's clients' and the job's. The console keeps each logger's configured
 * level, so a test that captures prints no more than one that does not.
 */
public final class LogCapture implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Appender capture;
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final Map<LoggerConfig, Level> levels = new HashMap<>();
    private final Map<LoggerConfig, Boolean> additive = new HashMap<>();
    private final List<Appender> console;

    private LogCapture() {
        capture =
                new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        StringBuilder line =
                                new StringBuilder(event.getLoggerName())
                                        .append(' ')
                                        .append(event.getMessage().getFormattedMessage());
                        if (event.getThrown() != null) {
                            StringWriter trace = new StringWriter();
                            event.getThrown().printStackTrace(new PrintWriter(trace));
                            line.append('\n').append(trace);
                        }
                        lines.add(line.toString());
                    }
                };
        capture.start();
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        console = new ArrayList<>(root.getAppenders().values());
        for (LoggerConfig logger : loggers(config)) {
            Level old = logger.getLevel();
            levels.put(logger, old);
            additive.put(logger, logger.isAdditive());
            // the console sees what it saw before: the root's appenders, at this logger's old level
            console.forEach(a -> logger.removeAppender(a.getName()));
            console.forEach(a -> logger.addAppender(a, old, null));
            logger.setAdditive(false);
            logger.addAppender(capture, Level.INFO, null);
            if (old.isMoreSpecificThan(Level.INFO)) {
                logger.setLevel(Level.INFO);
            }
        }
        context.updateLoggers();
    }

    private static List<LoggerConfig> loggers(Configuration config) {
        List<LoggerConfig> all = new ArrayList<>(config.getLoggers().values());
        if (!all.contains(config.getRootLogger())) {
            all.add(config.getRootLogger());
        }
        return all;
    }

    public static LogCapture start() {
        return new LogCapture();
    }

    /** The lines so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        for (LoggerConfig logger : loggers(config)) {
            if (!levels.containsKey(logger)) {
                continue;
            }
            logger.removeAppender(capture.getName());
            console.forEach(a -> logger.removeAppender(a.getName()));
            if (logger == root) {
                console.forEach(a -> logger.addAppender(a, null, null));
            }
            logger.setLevel(levels.get(logger));
            logger.setAdditive(additive.get(logger));
        }
        context.updateLoggers();
        capture.stop();
    }
}
