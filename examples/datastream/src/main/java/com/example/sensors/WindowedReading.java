package com.example.sensors;

/** A reading normalised across its window: the window's bounds (epoch ms) and its number of readings. */
public class WindowedReading {
    public String sensor;
    public long ts;
    public float[] features;
    public long windowStart;
    public long windowEnd;
    public int windowCount;

    public WindowedReading() {}
}
