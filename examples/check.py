#!/usr/bin/env python3
"""The examples' input and their check, for examples/run.sh.

  check.py generate            the readings, "key|json" lines (3 sensors, 30 s, 8 features, and three
                               readings the operators must turn away)
  check.py check DIR           DIR holds each output topic as TOPIC.txt ("key|json" lines): checks
                               every output of the three examples against PyTorch (float64) by the
                               project's golden rule, that each reading is in the right windows, and
                               the dead letters
"""
import json
import math
import struct
import sys
from collections import defaultdict


T0 = 1_700_000_000_000  # a multiple of 10 s: windows [T0, T0 + 10 s), ...
SENSORS = ["s0", "s1", "s2"]
D = 8


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def readings():
    import random
    rnd = random.Random(7)
    good, lines = [], []
    for i in range(60):
        for k, s in enumerate(SENSORS):
            ts = T0 + i * 500 + k * 37 - (300 if i % 7 == 3 else 0)  # some a little out of order
            r = {"sensor": s, "ts": ts, "features": [f32(rnd.uniform(-6, 6)) for _ in range(D)]}
            good.append(r)
            lines.append(f"{s}|{json.dumps(r)}")
            if i == 20 and s == "s1":
                lines.append('s1|' + json.dumps({"sensor": "s1", "ts": ts + 1, "features": [1.0, 2.0, 3.0]}))
            if i == 25 and s == "s2":
                lines.append('s2|' + json.dumps({"sensor": "s2", "ts": ts + 1, "features": []}))
            if i == 30 and s == "s0":
                lines.append('s0|{"sensor": "s0", "ts": ' + str(ts + 1) + ', "features": [1.0, ')
    return good, lines


def ulp(v):
    v = abs(v)
    if v == 0:
        return 2.0 ** -149
    return 2.0 ** (math.frexp(v)[1] - 24)


def passes(a, r, scale):
    """The golden rule for finite results against the float64 reference."""
    e = abs(a - r)
    return e <= 4 * ulp(r) or e <= 2.0 ** -22 * scale


def read_topic(directory, topic):
    out = []
    try:
        with open(f"{directory}/{topic}.txt") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    out.append(json.loads(line.split("|", 1)[1]))
    except FileNotFoundError:
        pass
    return out


failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)


def check_gelu(results, inputs, topic):
    """Every reading (and the 3-feature one, and for SQL the empty one) once, GELU(tanh) of its features."""
    by_id = {(r["sensor"], r["ts"]): r for r in inputs}
    seen = set()
    for o in results:
        key = (o["sensor"], o["ts"])
        expect(key not in seen, f"{topic}: {key} twice")
        seen.add(key)
        src = by_id.get(key)
        if src is None:
            expect(len(o["features"]) in (0, 3), f"{topic}: unexpected {key}")  # the odd readings
            continue
        x = torch.tensor(src["features"], dtype=torch.float64)
        ref = torch.nn.functional.gelu(x, approximate="tanh").tolist()
        for a, r, xi in zip(o["features"], ref, src["features"]):
            expect(passes(a, r, max(1.0, abs(xi))), f"{topic}: {key} gelu({xi}) = {a}, PyTorch {r}")
    expect(set(by_id) <= seen, f"{topic}: {len(set(by_id) - seen)} readings missing")
    return len(seen)


def check_softmax(results, inputs, topic, start_key, count_key):
    """Each reading once, in its 10 s window, normalised with that window's readings along dim 0."""
    by_id = {(r["sensor"], r["ts"]): r for r in inputs}
    windows = defaultdict(list)
    for o in results:
        windows[(o["sensor"], str(o[start_key]))].append(o)
    seen = set()
    for (sensor, start), outs in windows.items():
        srcs = [by_id.get((o["sensor"], o["ts"])) for o in outs]
        expect(all(s is not None for s in srcs), f"{topic}: an output that is no reading in {sensor} {start}")
        if not all(s is not None for s in srcs):
            continue
        wins = {(s["ts"] - T0) // 10_000 for s in srcs}
        expect(len(wins) == 1, f"{topic}: {sensor} window {start} mixes readings of windows {sorted(wins)}")
        expected_n = sum(1 for r in inputs if r["sensor"] == sensor and (r["ts"] - T0) // 10_000 in wins)
        expect(len(outs) == expected_n, f"{topic}: {sensor} window {start} has {len(outs)} of {expected_n} readings")
        for o in outs:
            expect(o[count_key] == len(outs), f"{topic}: window count {o[count_key]}, outputs {len(outs)}")
        x = torch.tensor([s["features"] for s in srcs], dtype=torch.float64)
        ref = torch.softmax(x, dim=0).tolist()
        for o, s, rrow in zip(outs, srcs, ref):
            key = (o["sensor"], o["ts"])
            expect(key not in seen, f"{topic}: {key} twice")
            seen.add(key)
            for j, (a, r) in enumerate(zip(o["features"], rrow)):
                m = max(row[j] for row in x.tolist())
                expect(passes(a, r, abs(r) * (1 + abs(s["features"][j] - m))),
                       f"{topic}: {key} feature {j}: {a}, PyTorch {r}")
    expect(seen == set(by_id), f"{topic}: {len(set(by_id) - seen)} readings missing")
    return len(seen)


def main():
    if sys.argv[1:2] == ["generate"]:
        for line in readings()[1]:
            print(line)
        return
    global torch
    import torch  # PyTorch is the truth; only the check needs it
    directory = sys.argv[2]
    inputs = readings()[0]
    n = check_gelu(read_topic(directory, "readings-gelu"), inputs, "readings-gelu")
    m = check_softmax(read_topic(directory, "readings-softmax"), inputs, "readings-softmax",
                      "windowStart", "windowCount")
    dead = sorted((d["reason"], d["sensor"] or "") for d in read_topic(directory, "readings-dead-letters"))
    expect(dead == sorted([("empty-vector", "s2"), ("empty-vector", "s2"), ("missing-features", ""),
                           ("missing-features", ""), ("dimension-mismatch", "s1")]),
           f"readings-dead-letters: {dead}")
    print(f"DataStream example: {n} GELU results, {m} softmax results, {len(dead)} dead letters: as PyTorch")
    n = check_gelu(read_topic(directory, "sql-readings-gelu"), inputs, "sql-readings-gelu")
    m = check_softmax(read_topic(directory, "sql-readings-softmax"), inputs, "sql-readings-softmax",
                      "window_start", "window_count")
    dead = sorted((d["reason"], d["sensor"]) for d in read_topic(directory, "sql-readings-dead-letters"))
    expect(dead == [("dimension-mismatch", "s1"), ("empty-vector", "s2")], f"sql-readings-dead-letters: {dead}")
    print(f"SQL example: {n} GELU results, {m} softmax results, {len(dead)} dead letters: as PyTorch")
    n = check_gelu(read_topic(directory, "streams-readings-gelu"), inputs, "streams-readings-gelu")
    m = check_softmax(read_topic(directory, "streams-readings-softmax"), inputs, "streams-readings-softmax",
                      "windowStart", "windowCount")
    dead = sorted((d["reason"], d["sensor"]) for d in read_topic(directory, "streams-readings-dead-letters"))
    expect(dead == [("dimension-mismatch", "s1"), ("empty-vector", "s2"), ("malformed-json", "")],
           f"streams-readings-dead-letters: {dead}")
    print(f"Kafka Streams example: {n} GELU results, {m} softmax results, {len(dead)} dead letters: as PyTorch")
    if failures:
        for f in failures[:20]:
            print("FAIL " + f, file=sys.stderr)
        print(f"examples: {len(failures)} checks failed", file=sys.stderr)
        sys.exit(1)


main()
