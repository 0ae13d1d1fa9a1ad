#!/usr/bin/env bash
# The deployable jar on a real cluster of separate processes (see cluster.sh): a Kafka broker
# process, a Flink JobManager and two TaskManagers (three for parallelism 3), with two jobs side by side: the map job
# (leaky_relu) and the windowed softmax job (tumbling 1 s windows per key). Kafka's console producer
# writes to both while
#   1. five TaskManagers in a row are killed with kill -9 (each after the jobs recovered from the one
#      before and completed a checkpoint), and a new one started each time; then the broker restarts;
#   2. each job is stopped with a savepoint and started again from it with another parallelism:
#      2 -> 1 -> 3.
# Then a read_committed consumer checks (records.py) that every record came out exactly once, none
# lost, none doubled, every bad one a dead letter, and that every window's softmax is bit for bit
# that of an uninterrupted run of the same job over the same input. Stops every process by its PID.
#
#   deploy/local/cluster-test.sh      (needs the built project: mvn -B -q install -DskipTests; python3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
C="$here/cluster.sh"
R="$here/records.py"
export LOCAL_CLUSTER_WORK="${LOCAL_CLUSTER_WORK:-$here/work}"
out="$LOCAL_CLUSTER_WORK/cluster-test"
RATE=200 # records a second to each job
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
  if "${@:2}"; then passed=$((passed + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "not ok - $1"; fi
}
say() { printf '[cluster-test] %s\n' "$*"; }

loads=() # process groups of the load generators
stop_load() {
  local p
  for p in "${loads[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${loads[@]}"; do while kill -0 -- "-$p" 2>/dev/null; do sleep 0.2; done; done
  loads=()
}
trap 'stop_load; "$C" stop >/dev/null 2>&1 || true' EXIT
"$C" stop >/dev/null 2>&1 || true
rm -rf "$LOCAL_CLUSTER_WORK/kafka" "$LOCAL_CLUSTER_WORK/checkpoints" "$LOCAL_CLUSTER_WORK/savepoints" "$out"
mkdir -p "$out"

"$C" kafka-start
"$C" flink-start 2 # 2 TaskManagers x 2 slots for 2 jobs x 2 tasks: every kill hits both jobs
for t in ct-map-in ct-win-in; do "$C" topic "$t" 2; done
for t in ct-map-out ct-map-out-dlq ct-win-out ct-win-out-dlq ct-ref-out ct-ref-out-dlq; do "$C" topic "$t" 1; done
bootstrap=$("$C" bootstrap)

map_flags() { # map_flags PARALLELISM
  echo --bootstrap-servers "$bootstrap" --input-topic ct-map-in --output-topic ct-map-out \
    --activation 'leaky_relu(0.2)' --checkpoint-interval 2s --starting-offsets earliest --group-id ct-map --parallelism "$1"
}
win_flags() { # win_flags PARALLELISM
  echo --bootstrap-servers "$bootstrap" --input-topic ct-win-in --output-topic ct-win-out --activation softmax \
    --window 'tumbling(1s)' --checkpoint-interval 2s --starting-offsets earliest --group-id ct-win --parallelism "$1"
}
# shellcheck disable=SC2046
map_job=$("$C" submit $(map_flags 2))
# shellcheck disable=SC2046
win_job=$("$C" submit $(win_flags 2))
say "submitted the map job $map_job and the windowed softmax job $win_job with flink run (parallelism 2)"

start_load() { # start_load FIRST-ID: both generators, RATE records a second each, until stop_load
  local kind
  for kind in map win; do
    setsid bash -c "python3 '$R' gen $kind $1 $RATE | '$C' produce ct-$kind-in 2>/dev/null" &
    loads+=($!)
  done
}

# recovered: both jobs run every task and completed a checkpoint since (so they made progress)
recovered() {
  local job before
  for job in "$map_job" "$win_job"; do
    "$C" wait-running "$job" 120
    before=$("$C" checkpoints "$job")
    local deadline=$((SECONDS + 60))
    until [ "$("$C" checkpoints "$job")" -gt "$before" ]; do
      [ $SECONDS -lt $deadline ] || { say "job $job completed no checkpoint in 60 s"; return 1; }
      sleep 0.5
    done
  done
}

start_load 0
"$C" wait-running "$map_job" 120
"$C" wait-running "$win_job" 120
first=$("$C" consume ct-map-out 1 60 | wc -l)
check "results are committed while records arrive" test "$first" -ge 1

next_tm=3
for kill in 1 2 3 4 5; do
  victim=$(ls "$LOCAL_CLUSTER_WORK/pids" | grep taskmanager- | sed 's/taskmanager-//' | sort -n | head -n 1)
  "$C" tm-kill "$victim"
  "$C" tm-start "$next_tm"
  say "kill $kill of 5: kill -9 of TaskManager $victim under load; TaskManager $next_tm started"
  next_tm=$((next_tm + 1))
  check "both jobs recovered from kill $kill and completed a checkpoint" recovered
done
"$C" kafka-restart
say "restarted the broker under load"
check "both jobs recovered from the broker's restart and completed a checkpoint" recovered
stop_load

start_load 10000000
"$C" tm-start "$next_tm" # room for parallelism 3
for p in 1 3; do
  sp=$("$C" savepoint-stop "$map_job")
  # shellcheck disable=SC2046
  map_job=$("$C" submit -s "$sp" $(map_flags "$p"))
  sp=$("$C" savepoint-stop "$win_job")
  # shellcheck disable=SC2046
  win_job=$("$C" submit -s "$sp" $(win_flags "$p"))
  say "stopped both jobs with a savepoint and started them from it with parallelism $p, while records arrive"
  check "both jobs run with parallelism $p and completed a checkpoint" recovered
done
stop_load
python3 "$R" push-watermark 10 | "$C" produce ct-win-in 2>/dev/null
say "stopped the load; closing the last windows with records half an hour ahead in event time"

# drained: the job committed the offsets of every input record (it does so on a checkpoint), and two
# more checkpoints completed, whose transactions hold the last results
drained() { # drained JOB GROUP TOPIC
  local deadline=$((SECONDS + 120)) before
  until [ "$("$C" lag "$2" "$3")" = 0 ]; do
    [ $SECONDS -lt $deadline ] || { say "group $2 has not read all of $3 after 120 s"; return 1; }
    sleep 1
  done
  before=$("$C" checkpoints "$1")
  until [ "$("$C" checkpoints "$1")" -ge $((before + 2)) ]; do
    [ $SECONDS -lt $deadline ] || { say "job $1 completed no two checkpoints in 120 s"; return 1; }
    sleep 0.5
  done
}
check "the map job read every input record and committed since" drained "$map_job" ct-map ct-map-in
check "the windowed job read every input record and committed since" drained "$win_job" ct-win ct-win-in

# each topic to its end; the results then 3 s more, in which nothing may arrive
"$C" read ct-map-in > "$out/map-in.txt"
"$C" read ct-win-in > "$out/win-in.txt"
map_in=$(grep -c . "$out/map-in.txt" || true)
win_in=$(grep -c . "$out/win-in.txt" || true)
say "the input topics hold $map_in and $win_in records; reading the results with read_committed"
"$C" read ct-map-out 3 > "$out/map-out.txt"
"$C" read ct-map-out-dlq 3 > "$out/map-dlq.txt"
"$C" read ct-win-out 3 > "$out/win-out.txt"
"$C" read ct-win-out-dlq 3 > "$out/win-dlq.txt"

for job in "$map_job" "$win_job"; do
  state=$(curl -sf "$("$C" rest)/jobs/$job" | grep -oE '"state":"[A-Z]+"' | head -n 1)
  check "job $job is still running ($state)" test "$state" = '"state":"RUNNING"'
  curl -sf -X PATCH "$("$C" rest)/jobs/$job?mode=cancel" >/dev/null # its slots, for the reference
done
ref_job=$("$C" submit --bootstrap-servers "$bootstrap" --input-topic ct-win-in --output-topic ct-ref-out --activation softmax \
  --window 'tumbling(1s)' --checkpoint-interval 2s --starting-offsets earliest --group-id ct-ref --parallelism 2 --bounded)
say "the reference: the windowed job again, uninterrupted and bounded, over the same input ($ref_job)"
check "the reference job finished" "$C" wait-finished "$ref_job" 120
"$C" read ct-ref-out > "$out/win-ref.txt"

checks=$( (python3 "$R" check-map "$out/map-in.txt" "$out/map-out.txt" "$out/map-dlq.txt" || true)
  (python3 "$R" check-win "$out/win-in.txt" "$out/win-out.txt" "$out/win-dlq.txt" "$out/win-ref.txt" || true))
echo "$checks"
passed=$((passed + $(grep -c '^ok' <<< "$checks" || true)))
failed=$((failed + $(grep -c '^not ok' <<< "$checks" || true)))
[ "$(grep -c '^ok' <<< "$checks" || true)" -gt 0 ] || failed=$((failed + 1))

stop_load
"$C" stop
echo "cluster-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
