package ${package};

import java.util.Arrays;

/**
 * One reading of a sensor: its name, its event time in epoch milliseconds and its feature vector. A
 * Java record, which Flink serializes with its own POJO serializer (no Kryo).
 */
public record SensorReading(String sensor, long timestamp, float[] features) {

    /** The same reading with other features: how the operators make their results. */
    public SensorReading withFeatures(float[] newFeatures) {
        return new SensorReading(sensor, timestamp, newFeatures);
    }

    @Override
    public String toString() {
        return sensor + " @ " + timestamp + " " + Arrays.toString(features);
    }
}
