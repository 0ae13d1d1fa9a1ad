package com.example.sensors;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

/**
 * The same pipeline as the DataStream example, in Flink SQL: readings (JSON) from Kafka topic
 * {@code readings}, GELU of each to {@code sql-readings-gelu}, each sensor's readings
 * softmax-normalised across 10-second windows to {@code sql-readings-softmax} (the window's dead
 * letters, if any, to {@code sql-readings-dead-letters}). Reads what the topic holds when it
 * starts, then ends.
 *
 * <pre>
 *   mvn -q compile exec:exec -Dbootstrap=localhost:9092
 * </pre>
 */
public class SqlPipeline {

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "localhost:9092";
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());

        // the activations as built-in functions; Flink's own first for names both have (TANH)
        tEnv.executeSql("LOAD MODULE activations");
        tEnv.executeSql("USE MODULES core, activations");

        tEnv.executeSql(
                """
                CREATE TABLE readings (
                  sensor   STRING,
                  ts       BIGINT,
                  features ARRAY<FLOAT>,
                  rowtime  AS TO_TIMESTAMP_LTZ(ts, 3),
                  WATERMARK FOR rowtime AS rowtime - INTERVAL '2' SECOND
                ) WITH (
                  'connector' = 'kafka',
                  'topic' = 'readings',
                  'properties.bootstrap.servers' = '%s',
                  'properties.group.id' = 'sensor-activations-sql',
                  'scan.startup.mode' = 'earliest-offset',
                  'scan.bounded.mode' = 'latest-offset',
                  'format' = 'json',
                  'json.ignore-parse-errors' = 'true'
                )"""
                        .formatted(bootstrap));
        tEnv.executeSql(
                sinkTable(
                        "sql_readings_gelu",
                        "sql-readings-gelu",
                        "sensor STRING, ts BIGINT, features ARRAY<FLOAT>",
                        bootstrap));
        tEnv.executeSql(
                sinkTable(
                        "sql_readings_softmax",
                        "sql-readings-softmax",
                        "sensor STRING, ts BIGINT, features ARRAY<FLOAT>, window_start TIMESTAMP_LTZ(3),"
                                + " window_end TIMESTAMP_LTZ(3), window_count BIGINT",
                        bootstrap));
        tEnv.executeSql(
                sinkTable(
                        "sql_readings_dead_letters",
                        "sql-readings-dead-letters",
                        "reason STRING, sensor STRING, ts BIGINT",
                        bootstrap));

        tEnv.executeSql(
                """
                CREATE TEMPORARY VIEW windowed AS
                SELECT * FROM WINDOWED_SOFTMAX(
                    input       => TABLE readings PARTITION BY sensor,
                    window_spec => 'tumbling(10 s)',
                    on_time     => DESCRIPTOR(rowtime))""");

        tEnv.executeSql(
                        """
                EXECUTE STATEMENT SET BEGIN
                  INSERT INTO sql_readings_gelu
                    SELECT sensor, ts, GELU(features, 'tanh') FROM readings;
                  INSERT INTO sql_readings_softmax
                    SELECT sensor, ts, features, window_start, window_end, window_count
                    FROM windowed WHERE dead_letter IS NULL;
                  INSERT INTO sql_readings_dead_letters
                    SELECT dead_letter, sensor, ts FROM windowed WHERE dead_letter IS NOT NULL;
                END""")
                .await();
    }

    static String sinkTable(String name, String topic, String columns, String bootstrap) {
        return """
                CREATE TABLE %s (%s) WITH (
                  'connector' = 'kafka',
                  'topic' = '%s',
                  'properties.bootstrap.servers' = '%s',
                  'format' = 'json'
                )"""
                .formatted(name, columns, topic, bootstrap);
    }
}
