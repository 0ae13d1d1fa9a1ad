# Sourced by bin/activations and bin/bench-job: finds the built project and java, and runs a main
# class of it with the JVM flags the project needs.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="$here/jobs/target"
jar=$(ls "$jobs"/flink-activations-jobs-*.jar 2>/dev/null | grep -v -e "-sources" -e "-javadoc" -e "-tests" -e "-flink" | head -n 1 || true)
if [ -z "$jar" ] || [ ! -d "$jobs/lib" ]; then
  echo "$(basename "$0"): the project is not built yet. Build it with:" >&2
  echo "  (cd '$here' && mvn -B -q install -DskipTests)" >&2
  exit 2
fi

java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if ! command -v "$java_cmd" >/dev/null 2>&1; then
  echo "$(basename "$0"): java not found; install JDK 17+ or set JAVA_HOME" >&2
  exit 2
fi

# launch MAIN-CLASS CLASSPATH-BEFORE-THE-JOB'S JVM-FLAGS... -- ARGS...: the Vector API for the compute
# kernels (they fall back to scalar code without it) and the JDK 17 opens that Flink needs, with the
# job's classpath (the module jar and target/lib). ACTIVATIONS_JAVA_OPTS adds more, e.g.
# -Dactivations.kernels=scalar or -Dlog4j2.configurationFile=your-log4j2.properties.
launch() {
  local main=$1 before=$2 flags=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  exec "$java_cmd" \
    --add-modules jdk.incubator.vector \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED \
    --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
    --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED \
    --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
    --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED \
    "${flags[@]}" -Xshare:auto \
    -Dlog4j2.configurationFile=log4j2-cli.properties \
    ${ACTIVATIONS_JAVA_OPTS:-} \
    -cp "${before:+$before:}$jar:$jobs/lib/*" "$main" "$@" \
    2> >(grep -v --line-buffered '^WARNING: Using incubator modules: jdk.incubator.vector$' >&2)
}
