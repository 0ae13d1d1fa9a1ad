#!/usr/bin/env python3
"""Records for deploy/local/cluster-test.sh: a load generator and the checks of what the jobs wrote.

  records.py gen map|win|soak FROM RATE [COUNT]
                                          key|value lines from id FROM on, RATE a second (0: as fast as
                                          it can), COUNT of them or until killed
  records.py push-watermark N             N records half an hour ahead in event time (ids -1, -2, ...): they
                                          close the windows before them and are left out of the checks
  records.py check-map IN OUT DLQ         every good input once in OUT with leaky_relu(0.2), every bad one once in DLQ
  records.py check-win IN OUT DLQ REF     every input once in OUT (or DLQ), each window's softmax bit for bit
                                          the reference run's (REF), over the same records

IN, OUT, DLQ and REF are files of key|value lines as `cluster.sh read` prints them. The checks
print TAP lines (ok / not ok) and exit 1 if one fails.
"""
import json
import math
import sys
import time

WIN_KEYS = 5
SOAK_KEYS = 100
SOAK_FEATURES = [json.dumps([round(math.sin(i * 0.37 + j) * 4, 4) for j in range(64)], separators=(",", ":"))
                 for i in range(1000)]


def value(kind, i, now_ms):
    if kind == "soak":
        return "k%d|{\"id\":%d,\"features\":%s}" % (i % SOAK_KEYS, i, SOAK_FEATURES[i % 1000])
    if kind == "map":
        if i % 250 == 7:
            return "k%d|{\"id\": %d, \"features\": bad}" % (i % 17, i)
        return "k%d|{\"id\": %d, \"features\": [%d, -5]}" % (i % 17, i, i)
    features = [round(math.sin(i) * 3, 3), round(math.cos(i * 0.7) * 2, 3), i % 7]
    return "s%d|{\"id\": %d, \"ts\": %d, \"features\": %s}" % (i % WIN_KEYS, i, now_ms, json.dumps(features))


def gen(kind, start, rate, count=None):
    i = start
    end = None if count is None else start + count
    t = time.monotonic()
    batch = max(1, rate // 20) if rate > 0 else 1000
    while end is None or i < end:
        n = batch if end is None else min(batch, end - i)
        now_ms = int(time.time() * 1000)  # event time: when the record was made
        sys.stdout.write("".join(value(kind, j, now_ms) + "\n" for j in range(i, i + n)))
        sys.stdout.flush()
        i += n
        if rate > 0:
            t += n / rate
            time.sleep(max(0.0, t - time.monotonic()))


def push_watermark(n):
    # half an hour ahead: far past every window, within the hour the job's --max-time-ahead takes
    far = int(time.time() * 1000) + 30 * 60 * 1000
    for k in range(n):
        print("push%d|{\"id\": %d, \"ts\": %d, \"features\": [0, 0, 0]}" % (k, -1 - k, far))


def lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                key, _, val = line.partition("|")
                yield key, val


passed = failed = 0


def check(description, ok):
    global passed, failed
    if ok:
        passed += 1
        print("ok - " + description)
    else:
        failed += 1
        print("not ok - " + description)


def ids(path):
    out = {}
    for _, val in lines(path):
        try:
            j = json.loads(val)
        except ValueError:
            continue
        out.setdefault(j["id"], []).append(j)
    return out


def bad_ids(path):
    """Ids of values that are not JSON (the bad records), from their text."""
    found = []
    for _, val in lines(path):
        try:
            json.loads(val)
        except ValueError:
            found.append(int(val.split("\"id\": ")[1].split(",")[0]))
    return found


def check_map(inp, out, dlq):
    sent_good = set(ids(inp))
    sent_bad = bad_ids(inp)
    results = ids(out)
    dead = bad_ids(dlq)
    doubled = [i for i, rs in results.items() if len(rs) > 1]
    print("# map: %d good and %d bad records in, %d distinct results, %d dead letters"
          % (len(sent_good), len(sent_bad), len(results), len(dead)))
    check("map: every good record came out (none lost)", set(results) == sent_good)
    check("map: no record came out twice (none doubled): %s" % doubled[:5], not doubled)
    check("map: every bad record is a dead letter, once", sorted(dead) == sorted(set(sent_bad)))
    wrong = [i for i, rs in results.items()
             if rs[0]["features"] != [float(i), -1.0] or rs[0]["activation"] != "leaky_relu(negative_slope=0.2)"]
    check("map: results are PyTorch's leaky_relu(0.2)", not wrong)


def check_win(inp, out, dlq, ref):
    sent = {i for i in ids(inp) if i >= 0}
    results = {i: rs for i, rs in ids(out).items() if i >= 0}
    reference = {i: rs for i, rs in ids(ref).items() if i >= 0}
    dead = {i for i in ids(dlq) if i >= 0}
    doubled = [i for i, rs in results.items() if len(rs) > 1]
    print("# windows: %d records in, %d distinct results, %d dead letters, %d in the reference run"
          % (len(sent), len(results), len(dead), len(reference)))
    check("windows: every record came out once, as a result or a dead letter (none lost)",
          set(results) | dead == sent and not (set(results) & dead))
    check("windows: no record came out twice (none doubled): %s" % doubled[:5], not doubled)
    check("windows: no record was late", not dead)
    differ = [i for i in results if i not in reference
              or (results[i][0]["features"], results[i][0]["window"]) != (reference[i][0]["features"], reference[i][0]["window"])]
    check("windows: each window's softmax is the uninterrupted run's, bit for bit (%d differ: %s)"
          % (len(differ), differ[:5]), not differ and results)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "gen":
        try:
            gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else None)
        except (BrokenPipeError, KeyboardInterrupt):
            pass
    elif cmd == "push-watermark":
        push_watermark(int(sys.argv[2]))
    elif cmd == "check-map":
        check_map(*sys.argv[2:5])
    elif cmd == "check-win":
        check_win(*sys.argv[2:6])
    else:
        print(__doc__)
        sys.exit(2)
    sys.exit(1 if failed else 0)
