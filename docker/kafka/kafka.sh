#!/usr/bin/env bash
# kafka.sh — run a real single-node Apache Kafka (KRaft) broker from Maven Central jars.
#
# Usage: kafka.sh fetch | start | stop | status
#   bash docker/kafka/kafka.sh start   # prints progress on stderr, bootstrap (127.0.0.1:9092) as last stdout line
#   bash docker/kafka/kafka.sh stop
# Environment: see docker/kafka/README.md.
set -euo pipefail

readonly KAFKA_VERSION=3.9.1
readonly KAFKA_HOME="${STREAMTUNE_KAFKA_HOME:-$HOME/.cache/streamtune/kafka-$KAFKA_VERSION}"
readonly LIBS="$KAFKA_HOME/libs"
readonly LIBS_MARKER="$LIBS/.complete"
readonly PORT="${STREAMTUNE_KAFKA_PORT:-9092}"
readonly SASL_PORT="${STREAMTUNE_KAFKA_SASL_PORT:-9094}"
readonly CONTROLLER_PORT="${STREAMTUNE_KAFKA_CONTROLLER_PORT:-9093}"
readonly STATE="${STREAMTUNE_KAFKA_STATE:-/tmp/streamtune-kafka-$PORT.env}"
readonly HEAP_OPTS="${STREAMTUNE_KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
readonly START_TIMEOUT_S="${STREAMTUNE_KAFKA_START_TIMEOUT:-90}"
readonly STOP_TIMEOUT_S=30

readonly PLAIN_USER=streamtune PLAIN_PASSWORD=streamtune-secret
readonly SCRAM_USER=streamtune-scram SCRAM_PASSWORD=scram-secret

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found: install a Java 17+ runtime (apt-get install openjdk-17-jre-headless)"
}
require_maven() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found: install Apache Maven 3.8+ (apt-get install maven)"
}

# The pom whose runtime dependency closure is the broker classpath.
write_pom() {
  cat >"$1" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>streamtune</groupId>
  <artifactId>kafka-broker-libs</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
  </dependencies>
</project>
EOF
}

cmd_fetch() {
  require_java
  if [[ -f "$LIBS_MARKER" ]]; then
    log "jars already in $LIBS ($(find "$LIBS" -name '*.jar' | wc -l) jars)"
    return 0
  fi
  require_maven
  mkdir -p "$KAFKA_HOME"
  # One fetch at a time (parallel test runs may start brokers together).
  exec 8>"$KAFKA_HOME/.fetch.lock"
  command -v flock >/dev/null 2>&1 && flock 8
  if [[ -f "$LIBS_MARKER" ]]; then
    log "jars already in $LIBS"
    return 0
  fi
  local tmp="$KAFKA_HOME/libs.partial"
  rm -rf "$tmp" "$LIBS"
  write_pom "$KAFKA_HOME/pom.xml"
  log "fetching kafka_2.13:$KAFKA_VERSION + slf4j-reload4j + reload4j and their runtime dependencies from Maven Central into $LIBS"
  if ! mvn -B -Dstyle.color=never -f "$KAFKA_HOME/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$KAFKA_HOME/mvn.log" 2>&1; then
    tail -n 40 "$KAFKA_HOME/mvn.log" >&2
    die "maven could not fetch the Kafka jars (full output: $KAFKA_HOME/mvn.log)"
  fi
  mv "$tmp" "$LIBS"
  touch "$LIBS_MARKER"
  log "fetched $(find "$LIBS" -name '*.jar' | wc -l) jars into $LIBS"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when $1 is a live process running our broker.
is_broker_pid() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'
}

load_state() {
  [[ -f "$STATE" ]] || return 1
  # shellcheck disable=SC1090
  source "$STATE"
}

write_server_properties() {
  local data="$1"
  cat >"$data/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT

sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$PLAIN_USER" password="$PLAIN_PASSWORD" user_$PLAIN_USER="$PLAIN_PASSWORD";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;

log.dirs=$data/logs
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
}

write_log4j() {
  local data="$1"
  cat >"$data/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$data/kafka.log
log4j.appender.file.Append=true
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.clients.NetworkClient=WARN
EOF
  # Tools (StorageTool) log warnings to stderr only.
  cat >"$data/log4j-tools.properties" <<EOF
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

storage_tool() {
  local data="$1"; shift
  java -Xmx256m -Dlog4j.configuration="file:$data/log4j-tools.properties" -cp "$LIBS/*" kafka.tools.StorageTool "$@"
}

cmd_start() {
  require_java
  if load_state && is_broker_pid "${STATE_PID:-}"; then
    log "already running: pid $STATE_PID, data $STATE_DATA_DIR, log $STATE_LOG_FILE"
    echo "127.0.0.1:$STATE_PORT"
    return 0
  fi
  rm -f "$STATE"
  local p
  for p in "$PORT" "$SASL_PORT" "$CONTROLLER_PORT"; do
    port_in_use "$p" && die "port 127.0.0.1:$p is already in use; set STREAMTUNE_KAFKA_PORT / _SASL_PORT / _CONTROLLER_PORT"
  done
  cmd_fetch

  local data is_temp
  if [[ -n "${STREAMTUNE_KAFKA_DATA:-}" ]]; then
    data="$STREAMTUNE_KAFKA_DATA"; is_temp=0
    mkdir -p "$data"
  else
    data="$(mktemp -d "${TMPDIR:-/tmp}/streamtune-kafka.XXXXXX")"; is_temp=1
  fi
  data="$(cd "$data" && pwd)"
  local log_file="$data/kafka.log"
  [[ -f "$log_file" ]] && mv "$log_file" "$log_file.1" # readiness is read from a fresh log
  write_server_properties "$data"
  write_log4j "$data"

  if [[ -f "$data/logs/meta.properties" ]]; then
    log "storage in $data/logs already formatted; reusing it"
  else
    local cluster_id
    cluster_id="$(storage_tool "$data" random-uuid)"
    log "formatting storage in $data/logs (cluster id $cluster_id, SCRAM user $SCRAM_USER)"
    storage_tool "$data" format -t "$cluster_id" -c "$data/server.properties" \
      --add-scram "SCRAM-SHA-256=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]" \
      --add-scram "SCRAM-SHA-512=[name=$SCRAM_USER,password=$SCRAM_PASSWORD]" >&2
  fi

  log "starting broker: PLAINTEXT 127.0.0.1:$PORT, SASL_PLAINTEXT 127.0.0.1:$SASL_PORT, controller 127.0.0.1:$CONTROLLER_PORT"
  # shellcheck disable=SC2086 # HEAP_OPTS is a list of JVM flags
  java $HEAP_OPTS -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$data/log4j.properties" \
    -cp "$LIBS/*" kafka.Kafka "$data/server.properties" \
    </dev/null >>"$log_file" 2>&1 &
  local pid=$!
  echo "$pid" >"$data/kafka.pid"
  {
    printf 'STATE_PID=%q\n' "$pid"
    printf 'STATE_DATA_DIR=%q\n' "$data"
    printf 'STATE_DATA_IS_TEMP=%q\n' "$is_temp"
    printf 'STATE_LOG_FILE=%q\n' "$log_file"
    printf 'STATE_PORT=%q\nSTATE_SASL_PORT=%q\nSTATE_CONTROLLER_PORT=%q\n' "$PORT" "$SASL_PORT" "$CONTROLLER_PORT"
  } >"$STATE"

  local deadline=$((SECONDS + START_TIMEOUT_S))
  until grep -q 'Kafka Server started' "$log_file" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
      if kill -0 "$pid" 2>/dev/null; then
        log "broker not started after ${START_TIMEOUT_S}s; last 40 lines of $log_file:"
      else
        log "broker exited during startup; last 40 lines of $log_file:"
      fi
      tail -n 40 "$log_file" >&2 || true
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$STATE"
      log "data dir kept for inspection: $data"
      exit 1
    fi
    sleep 0.5
  done

  log "started: pid $pid"
  log "data dir: $data"
  log "log: $log_file"
  log "state: $STATE"
  log "SASL bootstrap: 127.0.0.1:$SASL_PORT (PLAIN $PLAIN_USER, SCRAM-SHA-256/512 $SCRAM_USER)"
  echo "127.0.0.1:$PORT"
}

cmd_stop() {
  if ! load_state; then
    log "not running (no state file $STATE)"
    return 0
  fi
  if is_broker_pid "${STATE_PID:-}"; then
    log "stopping broker pid $STATE_PID"
    kill -TERM "$STATE_PID" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT_S))
    while kill -0 "$STATE_PID" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$STATE_PID" 2>/dev/null; then
      log "broker pid $STATE_PID still running after ${STOP_TIMEOUT_S}s; sending SIGKILL"
      kill -KILL "$STATE_PID" 2>/dev/null || true
      while kill -0 "$STATE_PID" 2>/dev/null; do sleep 0.1; done
    fi
  else
    log "broker pid ${STATE_PID:-?} is not running"
  fi
  if [[ "${STATE_DATA_IS_TEMP:-0}" == 1 && -n "${STATE_DATA_DIR:-}" && -d "$STATE_DATA_DIR" ]]; then
    rm -rf "$STATE_DATA_DIR"
    log "removed data dir $STATE_DATA_DIR"
  fi
  rm -f "$STATE"
  log "stopped"
}

cmd_status() {
  if load_state && is_broker_pid "${STATE_PID:-}"; then
    echo "running: pid $STATE_PID, bootstrap 127.0.0.1:$STATE_PORT, SASL 127.0.0.1:$STATE_SASL_PORT, data $STATE_DATA_DIR"
  else
    echo "not running"
    return 3
  fi
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
