package com.example.sensors;

import io.flinkactivations.stream.DeadLetter;

/** A reading the operators could not take, with why: the dead-letter topic's records. */
public class Rejected {
    public String reason; // e.g. dimension-mismatch, late, missing-features, empty-vector
    public String message;
    public String sensor;
    public Long ts;
    public String raw;

    public Rejected() {}

    static Rejected of(DeadLetter<SensorReading> d) {
        Rejected r = new Rejected();
        r.reason = d.reason().code();
        r.message = d.message();
        r.sensor = d.record().sensor;
        r.ts = d.record().raw == null ? d.record().ts : null;
        r.raw = d.record().raw;
        return r;
    }
}
