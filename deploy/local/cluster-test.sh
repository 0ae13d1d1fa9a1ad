#!/usr/bin/env bash
# The deployable jar on a real cluster of separate processes (see cluster.sh): a Kafka broker
# process, a Flink JobManager and two TaskManagers. Submits the job with Flink's own CLI, produces
# with Kafka's console producer, reads with a read_committed console consumer, and while records
# flow: kill -9 a TaskManager (and start a new one), then restart the broker. Checks that every
# record comes out exactly once, none lost, none doubled. Stops every process by its PID at the end.
#
#   deploy/local/cluster-test.sh      (needs the built project: mvn -B -q install -DskipTests)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
C="$here/cluster.sh"
export LOCAL_CLUSTER_WORK="${LOCAL_CLUSTER_WORK:-$here/work}"
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "not ok - $1"; fi
}
say() { printf '[cluster-test] %s\n' "$*"; }

trap '"$C" stop >/dev/null 2>&1 || true' EXIT
"$C" stop >/dev/null 2>&1 || true
rm -rf "$LOCAL_CLUSTER_WORK/kafka" "$LOCAL_CLUSTER_WORK/checkpoints" "$LOCAL_CLUSTER_WORK/savepoints"

"$C" kafka-start
"$C" flink-start 2
for t in ct-in ct-out ct-out-dlq; do "$C" topic "$t" 2; done

job=$("$C" submit --bootstrap-servers "$("$C" bootstrap)" --input-topic ct-in --output-topic ct-out \
  --activation 'leaky_relu(0.2)' --checkpoint-interval 2s --starting-offsets earliest --group-id cluster-test)
say "submitted job $job with flink run"
rest=$("$C" rest)

produce() { # produce FROM TO: ids FROM..TO-1, one bad record every 250
  local i
  for ((i = $1; i < $2; i++)); do
    if (( i % 250 == 7 )); then echo "k$((i % 17))|{\"id\": $i, \"features\": bad}"
    else echo "k$((i % 17))|{\"id\": $i, \"features\": [$i, -5]}"; fi
  done | "$C" produce ct-in 2>/dev/null
}

produce 0 1000
say "produced 0..999; waiting for the first committed results"
first=$("$C" consume ct-out 1 60 | wc -l)
check "results are committed before the crash" test "$first" -ge 1

"$C" tm-kill 1
say "killed TaskManager 1 with kill -9 while the job runs; starting TaskManager 3"
"$C" tm-start 3
produce 1000 2000

"$C" kafka-restart
say "restarted the broker mid-stream"
produce 2000 3000
say "produced 0..2999 in all (12 of them bad)"

bad=12
# the consumer stops after 30 s without a new record: long enough to ride out the recovery
out=$("$C" consume ct-out $((3000 - bad + 100)) 30)
dlq=$("$C" consume ct-out-dlq $((bad + 10)) 10)
total=$(grep -c . <<< "$out" || true)
unique=$(grep -oE '"id": [0-9]+' <<< "$out" | sort -u | wc -l)
dead=$(grep -c . <<< "$dlq" || true)
say "read $total results ($unique distinct ids) and $dead dead letters with read_committed"
check "every good record came out (none lost)" test "$unique" -eq $((3000 - bad))
check "no record came out twice (none doubled)" test "$total" -eq "$unique"
check "every bad record is in the dead-letter topic, once" test "$dead" -eq "$bad"
check "results are PyTorch's leaky_relu(0.2)" grep -q '"id": 2999, "features": \[2999.0,-1.0\],"activation":"leaky_relu(negative_slope=0.2)"' <<< "$out"
state=$(curl -sf "$rest/jobs/$job" | grep -oE '"state":"[A-Z]+"' | head -n 1)
check "the job recovered and is still running ($state)" test "$state" = '"state":"RUNNING"'

curl -sf -X PATCH "$rest/jobs/$job?mode=cancel" >/dev/null || true
"$C" stop
echo "cluster-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
