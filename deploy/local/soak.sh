#!/usr/bin/env bash
# Soak test (not in CI): the windowed softmax job (JSON, 64 features, 100 keys, tumbling 10 s windows,
# exactly-once, checkpoints every 10 s, parallelism 2) on the local cluster of separate processes
# (cluster.sh: a broker, a JobManager, one TaskManager with two slots and 3 GB), under half of its measured
# maximum load for MINUTES (default 30).
#   1. The maximum: a backlog of BACKLOG records (default 2,000,000) is written first; the job reads
#      it from the start, and its source's record count between 10 % and 90 % of the backlog gives
#      the records a second it keeps up with.
#   2. The soak: records.py writes half that rate for MINUTES while, once a minute, the script reads
#      the records a second the job read, the consumer group's lag (its offsets are committed at
#      checkpoints, so the lag includes up to a checkpoint interval of records), the TaskManager's
#      heap after GC (the least heap left after a collection that minute, from its GC log), and the
#      last checkpoint's size and duration (REST).
# It prints a table, and the first five minutes against the last five: flat means pass (exit 0).
#
#   deploy/local/soak.sh [MINUTES]     (needs the built project and python3; report in work/soak/)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
C="$here/cluster.sh"
R="$here/records.py"
export LOCAL_CLUSTER_WORK="${LOCAL_CLUSTER_WORK:-$here/work}"
MINUTES="${1:-30}"
BACKLOG="${BACKLOG:-2000000}"
out="$LOCAL_CLUSTER_WORK/soak"
# windows hold their records on the heap (Flink's default state backend): a heap for a few windows of
# the backlog, and little managed memory, which only RocksDB uses
export TM_PROCESS_SIZE="${TM_PROCESS_SIZE:-3072m}" TM_MANAGED_FRACTION="${TM_MANAGED_FRACTION:-0.05}"
say() { printf '[soak] %s\n' "$*" | tee -a "$out/report.txt" >&2; }

load=""
stop_load() { [ -z "$load" ] || { kill -TERM -- "-$load" 2>/dev/null || true; load=""; }; }
trap 'stop_load; "$C" stop >/dev/null 2>&1 || true' EXIT
"$C" stop >/dev/null 2>&1 || true
rm -rf "$LOCAL_CLUSTER_WORK/kafka" "$LOCAL_CLUSTER_WORK/checkpoints" "$LOCAL_CLUSTER_WORK/savepoints" "$out" \
  "$LOCAL_CLUSTER_WORK"/logs/taskmanager-*
mkdir -p "$out"
: > "$out/report.txt"

"$C" kafka-start
"$C" flink-start 1
keep=(--config retention.ms=900000 --config segment.bytes=67108864) # 15 min of records, so the disk stays small
"$C" topic soak-in 2 "${keep[@]}"
"$C" topic soak-out 1 "${keep[@]}"
"$C" topic soak-out-dlq 1 "${keep[@]}"
rest=$("$C" rest)
tm_gc="$LOCAL_CLUSTER_WORK/logs/taskmanager-1-gc.log"
tm_pid=$(cat "$LOCAL_CLUSTER_WORK/pids/taskmanager-1")
say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1); $("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -n 1)"

python3 "$R" gen soak 0 0 "$BACKLOG" | "$C" produce soak-in 2>/dev/null
say "wrote a backlog of $BACKLOG records (JSON, 64 features, about 500 bytes each)"
job=$("$C" submit --bootstrap-servers "$("$C" bootstrap)" --input-topic soak-in --output-topic soak-out \
  --activation softmax --window 'tumbling(10s)' --starting-offsets earliest --group-id soak --parallelism 2)
"$C" wait-running "$job" 120
source_vertex=$(curl -sf "$rest/jobs/$job" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vertices"][0]["id"])')
read_count() {
  curl -sf "$rest/jobs/$job/vertices/$source_vertex/subtasks/metrics?get=numRecordsOut&agg=sum" \
    | python3 -c 'import json,sys; m=json.load(sys.stdin); print(int(m[0]["sum"]) if m else 0)'
}
samples="$out/backlog-samples.txt" # seconds and records read, four times a second
: > "$samples"
deadline=$((SECONDS + 1800))
while true; do
  [ $SECONDS -lt $deadline ] || { say "the job did not read its backlog in 30 min"; exit 1; }
  n=$(read_count)
  echo "$(date +%s.%N) $n" >> "$samples"
  [ "$n" -lt "$BACKLOG" ] || break
  sleep 0.25
done
max=$(python3 - "$samples" "$BACKLOG" <<'PY'
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
b = float(sys.argv[2])
inside = [r for r in rows if 0.1 * b <= r[1] <= 0.9 * b]
if len(inside) < 4 or inside[-1][0] - inside[0][0] < 5:
    sys.exit("the backlog went by in under 5 s: raise BACKLOG")
print(int((inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])))
PY
)
rate=$((max / 2))
[ "$rate" -gt 0 ] || { say "no rate measured from the backlog ($samples)"; exit 1; }
say "maximum: $max records/s (the backlog read from 10 % to 90 %); soak load: $rate records/s for $MINUTES min"

setsid bash -c "python3 '$R' gen soak $BACKLOG $rate | '$C' produce soak-in 2>/dev/null" &
load=$!
lag() { "$C" lag soak soak-in 2>/dev/null || echo none; }
heap_after_gc() { # the least heap left after a GC since line $1 of the GC log, in MB
  tail -n +"$1" "$tm_gc" | grep -oE '[0-9]+M->[0-9]+M' | sed 's/.*->//; s/M//' | sort -n | head -n 1
}
checkpoint() { # size in KB and duration in ms of the last completed checkpoint
  curl -sf "$rest/jobs/$job/checkpoints" | python3 -c '
import json, sys
c = (json.load(sys.stdin).get("latest") or {}).get("completed") or {}
print("%d %d" % ((c.get("checkpointed_size") or c.get("state_size") or 0) / 1024, c.get("end_to_end_duration") or 0))'
}

printf '%-6s %10s %10s %14s %16s %15s\n' minute "records/s" lag "heap-after-GC" "checkpoint-KB" "checkpoint-ms" \
  | tee -a "$out/report.txt"
gc_line=$(($(wc -l < "$tm_gc") + 1))
count=$(read_count)
since=$(date +%s.%N)
for minute in $(seq 1 "$MINUTES"); do
  sleep 60
  kill -0 "$tm_pid" 2>/dev/null || { say "the TaskManager died"; exit 1; }
  now_count=$(read_count)
  now=$(date +%s.%N)
  heap=$(heap_after_gc "$gc_line")
  gc_line=$(($(wc -l < "$tm_gc") + 1))
  read -r ckb cms <<< "$(checkpoint)"
  printf '%-6s %10s %10s %14s %16s %15s\n' "$minute" "$(python3 -c "print(int(($now_count - $count) / ($now - $since)))")" \
    "$(lag)" "${heap:-none}" "$ckb" "$cms" | tee -a "$out/report.txt"
  count=$now_count
  since=$now
done
stop_load

python3 - "$out/report.txt" "$MINUTES" <<'PY' | tee -a "$out/report.txt"
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.split() and l.split()[0].isdigit()]
k = min(5, len(rows) // 2)
def mean(rs, c):
    v = [float(r[c]) for r in rs if r[c] != "none"]
    return sum(v) / len(v) if v else 0.0
ok = True
names = {1: "records/s", 2: "lag", 3: "heap after GC (MB)", 4: "checkpoint size (KB)", 5: "checkpoint duration (ms)"}
for c, name in names.items():
    first, last = mean(rows[:k], c), mean(rows[-k:], c)
    # flat: the last minutes within a quarter (or a small absolute step) of the first
    slack = {1: 0, 2: 2 * mean(rows, 1) * 10, 3: 64, 4: 256, 5: 500}[c]
    flat = last <= first * 1.25 + slack if c != 1 else last >= first * 0.9
    ok &= flat
    print("%-26s first %d min %12.0f   last %d min %12.0f   %s" % (name, k, first, k, last, "flat" if flat else "NOT FLAT"))
print("soak: %s" % ("pass" if ok else "fail"))
sys.exit(0 if ok else 1)
PY
