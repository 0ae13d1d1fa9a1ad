package com.example.sensors;

/**
 * The pipeline's own record type, a Flink POJO: public fields (or getters and setters) and a public
 * no-argument constructor, so Flink serializes it without Kryo.
 */
public class SensorReading {
    public String sensor;
    public long ts; // event time, epoch ms
    public float[] features;
    public String raw; // the input as it came, when it could not be read as a reading

    public SensorReading() {}

    public SensorReading(String sensor, long ts, float[] features) {
        this.sensor = sensor;
        this.ts = ts;
        this.features = features;
    }

    /** This reading with other features. */
    public SensorReading withFeatures(float[] newFeatures) {
        return new SensorReading(sensor, ts, newFeatures);
    }
}
