#!/usr/bin/env bash
# Builds and runs, as an outside user would, against the artifacts `mvn install` put in the local
# Maven repository (by their coordinates, not as reactor modules):
# - the example projects, on a real Kafka broker (deploy/local/cluster.sh, a KRaft process from Maven
#   jars): datastream/ and sql-kafka/ (Flink), kafka-streams/ (the core alone). All read the same
#   readings (check.py generate); check.py then checks every output topic against PyTorch;
# - the library examples of README.md and docs/sql.md, written out as new projects from their blocks (readme.py);
# - a project generated from the quickstart archetype: its build and its MiniCluster test.
# About 4 minutes.
#
#   mvn -B -q install -DskipTests && examples/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
export LOCAL_CLUSTER_WORK="${LOCAL_CLUSTER_WORK:-$here/work}"
export KAFKA_PORT="${KAFKA_PORT:-29092}" KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-29093}"
C="$root/deploy/local/cluster.sh"
out="$LOCAL_CLUSTER_WORK/topics"

# PyTorch: Debian's python3-torch, as .ci/run installs it
py=/usr/bin/python3
[ -x "$py" ] || py=python3
say() { printf '[examples] %s\n' "$*"; }

if ! ls ~/.m2/repository/io/flinkactivations/flink-activations-sql/*/flink-activations-sql-*.jar >/dev/null 2>&1; then
  echo "examples: flink-activations is not installed in ~/.m2; run first: mvn -B -q install -DskipTests" >&2
  exit 2
fi

rm -rf "$LOCAL_CLUSTER_WORK/kafka" "$out"
mkdir -p "$out"
trap '"$C" kafka-stop >/dev/null 2>&1 || true' EXIT
"$C" kafka-start
bootstrap=$("$C" bootstrap)
topics=(readings readings-gelu readings-softmax readings-dead-letters
        sql-readings-gelu sql-readings-softmax sql-readings-dead-letters
        streams-readings-gelu streams-readings-softmax streams-readings-dead-letters)
# the readings' event times are fixed (November 2023) and Flink's Kafka sink writes a record's event
# time as its Kafka timestamp: without retention.ms=-1 the broker would delete them as 7 days old
for t in "${topics[@]}"; do "$C" topic "$t" 2 --config retention.ms=-1; done
"$py" "$here/check.py" generate | "$C" produce readings
say "readings produced to $bootstrap"

say "examples/datastream: mvn package, then the pipeline (exec:exec)"
(cd "$here/datastream" && mvn -B -q package exec:exec -Dbootstrap="$bootstrap")
say "examples/sql-kafka: mvn compile, then the pipeline (exec:exec)"
(cd "$here/sql-kafka" && mvn -B -q compile exec:exec -Dbootstrap="$bootstrap")
say "examples/kafka-streams: mvn compile, then the application (exec:exec)"
(cd "$here/kafka-streams" && mvn -B -q compile exec:exec -Dbootstrap="$bootstrap")

# the input read back first: it must all be there
produced=$("$C" read readings | wc -l)
expected=$("$py" "$here/check.py" generate | wc -l)
[ "$produced" -eq "$expected" ] || { echo "examples: $produced of $expected readings in the topic" >&2; exit 1; }
# the pipelines have ended: every topic is read to its end
for t in "${topics[@]:1}"; do "$C" read "$t" > "$out/$t.txt"; say "$t: $(wc -l < "$out/$t.txt") records"; done
"$py" "$here/check.py" check "$out"
"$C" kafka-stop >/dev/null 2>&1 || true

say "the library examples of README.md and docs/sql.md, as new projects from their own blocks"
rm -rf "$LOCAL_CLUSTER_WORK/readme"
"$py" "$here/readme.py" "$LOCAL_CLUSTER_WORK/readme"

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/operators/quickstart/pom.xml" | head -n 1)
say "a project from the quickstart archetype ($version): mvn archetype:generate, then mvn verify"
rm -rf "$LOCAL_CLUSTER_WORK/quickstart"
mkdir -p "$LOCAL_CLUSTER_WORK/quickstart"
(cd "$LOCAL_CLUSTER_WORK/quickstart" \
  && mvn -B -q org.apache.maven.plugins:maven-archetype-plugin:3.3.1:generate -DinteractiveMode=false \
       -DarchetypeGroupId=io.flinkactivations -DarchetypeArtifactId=flink-activations-quickstart \
       -DarchetypeVersion="$version" -DgroupId=com.example -DartifactId=sensor-job -Dversion=1.0 \
       -Dpackage=com.example.sensors \
  && cd sensor-job && mvn -B -q verify > build.log 2>&1 || { cat build.log >&2; exit 1; })
"$py" - "$LOCAL_CLUSTER_WORK/quickstart/sensor-job/target/sensor-job-1.0.jar" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
if "io/flinkactivations/stream/Activations.class" not in names:
    sys.exit("examples: the quickstart's job jar lacks the operators")
if any(n.startswith(("org/apache/flink/streaming/api/", "org/apache/logging/", "org/slf4j/")) for n in names):
    sys.exit("examples: the quickstart's job jar holds Flink or logging, which the cluster provides")
PY
say "quickstart: its MiniCluster test passed; target/sensor-job-1.0.jar holds the operators, not Flink"
