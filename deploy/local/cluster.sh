#!/usr/bin/env bash
# A real cluster on 127.0.0.1 without Docker: a Kafka broker (KRaft) as its own process and a Flink
# 2.2.1 standalone session cluster (one JobManager, TaskManagers as separate JVMs), all from Maven
# jars. Every process is started in the background and stopped by its PID.
#
#   deploy/local/cluster.sh setup                 resolve the jars (once)
#   deploy/local/cluster.sh kafka-start|kafka-stop|kafka-restart
#   deploy/local/cluster.sh flink-start [N]       JobManager + N TaskManagers (default 2)
#   deploy/local/cluster.sh tm-start ID | tm-kill ID   start, or kill -9, TaskManager ID (GC log in
#                                                 work/logs/taskmanager-ID-gc.log)
#   deploy/local/cluster.sh topic NAME [PARTITIONS [--config KEY=VALUE ...]]
#   deploy/local/cluster.sh submit [-s SAVEPOINT] JOB-FLAGS...
#                                                 flink run -d the deployable jar (prints the job id)
#   deploy/local/cluster.sh savepoint-stop JOB    stop JOB with a savepoint (prints its path)
#   deploy/local/cluster.sh wait-running JOB SECS until JOB and all its tasks run
#   deploy/local/cluster.sh checkpoints JOB       how many checkpoints of JOB completed
#   deploy/local/cluster.sh produce TOPIC         key|value lines on stdin -> Kafka
#   deploy/local/cluster.sh consume TOPIC N SECS  read_committed, at most N records or SECS seconds
#   deploy/local/cluster.sh read TOPIC [SECS]     read_committed, every record to the topic's end, then
#                                                 SECS more seconds in which nothing may arrive
#   deploy/local/cluster.sh lag GROUP TOPIC       records of TOPIC that GROUP has not committed
#   deploy/local/cluster.sh wait-finished JOB SECS  until JOB finished (a --bounded run)
#   deploy/local/cluster.sh stop                  stop everything this script started
#   deploy/local/cluster.sh status
#
# Ports (override with the environment): KAFKA_PORT=19092, KAFKA_CONTROLLER_PORT=19093,
# FLINK_RPC_PORT=16123, FLINK_REST_PORT=18081; a TaskManager's memory: TM_PROCESS_SIZE=1024m,
# TM_MANAGED_FRACTION=0.4 (RocksDB's share; heap state needs little). State and logs live in
# deploy/local/work/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${LOCAL_CLUSTER_WORK:-$here/work}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
FLINK_RPC_PORT="${FLINK_RPC_PORT:-16123}"
FLINK_REST_PORT="${FLINK_REST_PORT:-18081}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The JDK 17 opens that flink-dist keeps in env.java.opts.all.
jdk17_opts() {
  cat <<'OPTS'
--add-exports=java.base/sun.net.util=ALL-UNNAMED
--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
--add-opens=java.base/java.lang=ALL-UNNAMED
--add-opens=java.base/java.net=ALL-UNNAMED
--add-opens=java.base/java.io=ALL-UNNAMED
--add-opens=java.base/java.nio=ALL-UNNAMED
--add-opens=java.base/sun.nio.ch=ALL-UNNAMED
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED
--add-opens=java.base/java.text=ALL-UNNAMED
--add-opens=java.base/java.time=ALL-UNNAMED
--add-opens=java.base/java.util=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
OPTS
}

setup() {
  mkdir -p "$work/lib" "$work/pids" "$work/logs"
  for part in kafka flink; do
    if [ ! -f "$work/lib/$part/.complete" ]; then
      log "resolving the $part jars from Maven into $work/lib/$part"
      rm -rf "$work/lib/$part"
      mvn -B -q -f "$here/$part/pom.xml" dependency:copy-dependencies -DoutputDirectory="$work/lib/$part" \
        > "$work/logs/mvn-$part.log" 2>&1 || { cat "$work/logs/mvn-$part.log" >&2; die "could not resolve the $part jars"; }
      touch "$work/lib/$part/.complete"
    fi
  done
  jdk17_opts > "$work/jvm17.opts"
}

pid_alive() { [ -f "$work/pids/$1" ] && kill -0 "$(cat "$work/pids/$1")" 2>/dev/null; }

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.5 s, bounded.
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what not ready after ${secs}s"
    sleep 0.5
  done
}

kafka_start() {
  setup
  pid_alive kafka && { log "kafka already running (pid $(cat "$work/pids/kafka"))"; return; }
  local dir="$work/kafka"
  mkdir -p "$dir"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=2
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat > "$dir/log4j2.properties" <<PROPS
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = $work/logs/kafka.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
PROPS
  local cp="$work/lib/kafka/*"
  if [ ! -f "$dir/data/meta.properties" ]; then
    local id
    id=$("$java_cmd" -cp "$cp" -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.tools.StorageTool random-uuid)
    "$java_cmd" -cp "$cp" -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.tools.StorageTool format \
      -t "$id" -c "$dir/server.properties" >/dev/null
  fi
  local mark
  mark=$(wc -l < "$work/logs/kafka.log" 2>/dev/null || echo 0)
  nohup "$java_cmd" -Xmx512m -Dlog4j2.configurationFile="$dir/log4j2.properties" -cp "$cp" kafka.Kafka \
    "$dir/server.properties" > "$work/logs/kafka.out" 2>&1 &
  echo $! > "$work/pids/kafka"
  wait_for "kafka" 60 bash -c "tail -n +$((mark + 1)) '$work/logs/kafka.log' | grep -q 'Kafka Server started'"
  log "kafka started at $BOOTSTRAP (pid $(cat "$work/pids/kafka"))"
}

stop_pid() { # stop_pid NAME [SIGNAL]
  local name=$1 sig=${2:-TERM}
  if pid_alive "$name"; then
    local pid
    pid=$(cat "$work/pids/$name")
    kill -"$sig" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then kill -9 "$pid" 2>/dev/null || true; fi
      sleep 0.2
    done
    log "stopped $name (pid $pid, SIG$sig)"
  fi
  rm -f "$work/pids/$name"
}

flink_conf() {
  mkdir -p "$work/flink/conf" "$work/checkpoints" "$work/savepoints"
  cat > "$work/flink/conf/config.yaml" <<YAML
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $FLINK_RPC_PORT
jobmanager.bind-host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.host: 127.0.0.1
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $FLINK_REST_PORT
jobmanager.memory.process.size: 1024m
taskmanager.memory.process.size: ${TM_PROCESS_SIZE:-1024m}
taskmanager.memory.managed.fraction: ${TM_MANAGED_FRACTION:-0.4}
taskmanager.numberOfTaskSlots: 2
parallelism.default: 2
execution.checkpointing.dir: file://$work/checkpoints
execution.checkpointing.savepoint-dir: file://$work/savepoints
# the REST API's metrics fresh to the second (soak.sh reads them), not every 10 s
metrics.fetcher.update-interval: 1000
# detect a killed TaskManager in seconds, not the default 50 s
heartbeat.interval: 2000
heartbeat.timeout: 8000
restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 100
restart-strategy.fixed-delay.delay: 2 s
# read by flink-dist's scripts; cluster.sh passes the same flag to the TaskManagers it starts
env.java.opts.taskmanager: --add-modules=jdk.incubator.vector
YAML
  cat > "$work/flink/conf/log4j.properties" <<PROPS
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
logger.metricgroup.name = org.apache.flink.metrics.MetricGroup
logger.metricgroup.level = ERROR
PROPS
}

# result_line N: the Nth BASH_JAVA_UTILS_EXEC_RESULT line of Flink's resource calculator
bash_java_utils() {
  "$java_cmd" -cp "$work/lib/flink/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" \
    --configDir "$work/flink/conf" 2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

jobmanager_start() {
  pid_alive jobmanager && return
  local params jvm dyn
  params=$(bash_java_utils GET_JM_RESOURCE_PARAMS)
  jvm=$(sed -n 1p <<< "$params")
  dyn=$(sed -n 2p <<< "$params")
  # shellcheck disable=SC2086
  nohup "$java_cmd" $jvm @"$work/jvm17.opts" -Dlog.file="$work/logs/jobmanager.log" \
    -Dlog4j.configurationFile="file:$work/flink/conf/log4j.properties" -cp "$work/lib/flink/*" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$work/flink/conf" \
    --executionMode cluster $dyn > "$work/logs/jobmanager.out" 2>&1 &
  echo $! > "$work/pids/jobmanager"
  wait_for "jobmanager REST" 60 curl -sf "http://127.0.0.1:$FLINK_REST_PORT/overview"
  log "jobmanager started, REST at http://127.0.0.1:$FLINK_REST_PORT (pid $(cat "$work/pids/jobmanager"))"
}

tm_start() {
  local id=$1
  pid_alive "taskmanager-$id" && return
  local params jvm dyn
  params=$(bash_java_utils GET_TM_RESOURCE_PARAMS)
  jvm=$(sed -n 1p <<< "$params")
  dyn=$(sed -n 2p <<< "$params")
  # shellcheck disable=SC2086
  nohup "$java_cmd" $jvm @"$work/jvm17.opts" --add-modules jdk.incubator.vector -Xlog:gc:file="$work/logs/taskmanager-$id-gc.log" \
    -Dlog.file="$work/logs/taskmanager-$id.log" -Dlog4j.configurationFile="file:$work/flink/conf/log4j.properties" \
    -cp "$work/lib/flink/*" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    --configDir "$work/flink/conf" $dyn > "$work/logs/taskmanager-$id.out" 2>&1 &
  echo $! > "$work/pids/taskmanager-$id"
  log "taskmanager $id started (pid $(cat "$work/pids/taskmanager-$id"))"
}

taskmanagers_registered() {
  curl -sf "http://127.0.0.1:$FLINK_REST_PORT/overview" | grep -q "\"taskmanagers\":$1[,}]"
}

flink_start() {
  local n=${1:-2}
  setup
  flink_conf
  jobmanager_start
  for i in $(seq 1 "$n"); do tm_start "$i"; done
  wait_for "$n taskmanagers" 90 taskmanagers_registered "$n"
  log "flink session cluster up: 1 jobmanager, $n taskmanagers"
}

job_jar() {
  ls "$root"/jobs/target/flink-activations-jobs-*-flink.jar 2>/dev/null | head -n 1 \
    || die "no deployable jar: build it with (cd '$root' && mvn -B -q install -DskipTests)"
}

submit() {
  local jar out from=()
  jar=$(job_jar)
  if [ "${1:-}" = "-s" ]; then from=(-s "$2"); shift 2; fi
  out=$(FLINK_CONF_DIR="$work/flink/conf" "$java_cmd" @"$work/jvm17.opts" -cp "$work/lib/flink/*" \
    -Dlog4j.configurationFile="file:$work/flink/conf/log4j.properties" -Dlog.file="$work/logs/client.log" \
    org.apache.flink.client.cli.CliFrontend run -d "${from[@]}" "$jar" "$@" 2>&1) \
    || { printf '%s\n' "$out" >&2; die "submit failed"; }
  grep -oE 'JobID [0-9a-f]{32}' <<< "$out" | awk '{print $2}'
}

rest_url="http://127.0.0.1:$FLINK_REST_PORT"
# json_get URL EXPRESSION: a value of the JSON at URL (python's json; j is the document)
json_get() { curl -sf "$1" | python3 -c "import json,sys; j=json.load(sys.stdin); print($2)"; }

savepoint_stop() {
  local job=$1 trigger status deadline=$((SECONDS + 120))
  trigger=$(curl -sf -X POST -H 'Content-Type: application/json' -d "{\"drain\": false, \"targetDirectory\": \"file://$work/savepoints\"}" \
    "$rest_url/jobs/$job/stop" | python3 -c 'import json,sys; print(json.load(sys.stdin)["request-id"])') \
    || die "could not ask job $job to stop with a savepoint"
  while [ $SECONDS -lt $deadline ]; do
    status=$(curl -sf "$rest_url/jobs/$job/savepoints/$trigger" | python3 -c '
import json, sys
j = json.load(sys.stdin)
op = j.get("operation") or {}
print(j["status"]["id"], op.get("location") or (op.get("failure-cause") or {}).get("class", ""))')
    case "$status" in
      "COMPLETED file:"*) echo "${status#COMPLETED }"; return ;;
      COMPLETED*) die "savepoint of job $job failed: ${status#COMPLETED }" ;;
    esac
    sleep 0.5
  done
  die "savepoint of job $job not done after 120 s"
}

job_running() {
  json_get "$rest_url/jobs/$1" 'j["state"] == "RUNNING" and all(v["status"] == "RUNNING" for v in j["vertices"])' \
    | grep -q True
}

job_finished() { json_get "$rest_url/jobs/$1" 'j["state"]' | grep -qx FINISHED; }

kafka_tool() { "$java_cmd" -cp "$work/lib/kafka/*" -Dlog4j2.configurationFile="$work/kafka/log4j2.properties" "$@"; }

case "${1:-}" in
  setup) setup ;;
  kafka-start) kafka_start ;;
  kafka-stop) stop_pid kafka ;;
  kafka-restart) stop_pid kafka; kafka_start ;;
  flink-start) flink_start "${2:-2}" ;;
  tm-start) setup; tm_start "$2" ;;
  tm-kill) stop_pid "taskmanager-$2" KILL ;;
  topic) kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
           --topic "$2" --partitions "${3:-2}" --replication-factor 1 "${@:4}" >/dev/null ;;
  submit) shift; submit "$@" ;;
  savepoint-stop) savepoint_stop "$2" ;;
  wait-running) wait_for "job $2 running" "${3:-90}" job_running "$2" ;;
  checkpoints) json_get "$rest_url/jobs/$2/checkpoints" 'j["counts"]["completed"]' ;;
  produce) kafka_tool org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$BOOTSTRAP" --topic "$2" \
             --reader-property parse.key=true --reader-property key.separator='|' --command-property acks=all ;;
  consume) kafka_tool org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BOOTSTRAP" --topic "$2" \
             --from-beginning --isolation-level read_committed --max-messages "$3" --timeout-ms "$(( $4 * 1000 ))" \
             --formatter-property print.key=true --formatter-property key.separator='|' 2>/dev/null || true ;;
  read) kafka_tool "$here/TopicTool.java" read "$BOOTSTRAP" "$2" "${3:-0}" ;;
  lag) kafka_tool "$here/TopicTool.java" lag "$BOOTSTRAP" "$2" "$3" ;;
  wait-finished) wait_for "job $2 finished" "${3:-120}" job_finished "$2" ;;
  stop)
    for f in "$work"/pids/taskmanager-* ; do [ -e "$f" ] && stop_pid "$(basename "$f")"; done
    stop_pid jobmanager
    stop_pid kafka ;;
  status) for f in "$work"/pids/*; do [ -e "$f" ] && echo "$(basename "$f") $(cat "$f") $(pid_alive "$(basename "$f")" && echo up || echo down)"; done ;;
  bootstrap) echo "$BOOTSTRAP" ;;
  rest) echo "http://127.0.0.1:$FLINK_REST_PORT" ;;
  *) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
