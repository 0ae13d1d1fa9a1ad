package com.example.sensors;

import io.flinkactivations.stream.WindowInfo;

/**
 * A reading normalised across its window: the window's bounds (epoch ms) and its number of
 * readings.
 */
public class WindowedReading {
    public String sensor;
    public long ts;
    public float[] features;
    public long windowStart;
    public long windowEnd;
    public int windowCount;

    public WindowedReading() {}

    /** The reading with its features normalised across {@code window}. */
    public static WindowedReading of(SensorReading reading, float[] normalised, WindowInfo window) {
        WindowedReading w = new WindowedReading();
        w.sensor = reading.sensor;
        w.ts = reading.ts;
        w.features = normalised;
        w.windowStart = window.start();
        w.windowEnd = window.end();
        w.windowCount = window.count();
        return w;
    }
}
