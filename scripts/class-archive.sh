#!/usr/bin/env bash
# Makes the class archive of target/attendance-api.jar for the JVM run.sh uses (scripts/jvm.sh), from one
# training run of the jar: start it, wait for the first 200 on health, send read requests over every read
# route, stop it. On Java 25 the JVM writes an AOT cache at exit (-XX:AOTCacheOutput: classes loaded and linked, no
# method profiles), on 17 an AppCDS archive (-XX:ArchiveClassesAtExit); ./run.sh java-opts then names it. Start-up
# with it: docs/PERFORMANCE.md.
#   scripts/class-archive.sh     after mvn package (./run.sh does it when the archive is missing or older than
#                                the jar; bench/run.sh too, against its own database)
# The training run uses the config's PostgreSQL (CONFIG_FILE or config.yaml) and writes nothing to it or to Redis:
# - every session is read-only (postgres.read_only), so PostgreSQL itself refuses a write; a database with a
#   pending migration therefore stops the run (no archive: ./run.sh migrates before it calls this script);
# - the cache talks to a redis-server of its own on a free port, thrown away afterwards (when redis-server is not
#   installed, to a port where nothing listens: the service then runs without its cache);
# - the only requests that are not reads are creates the service refuses before the database (400).
# Exit 0 with the archive written, 1 without it; a start never needs the archive.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/jvm.sh
. scripts/jvm.sh

log() { echo "class-archive: $*" >&2; }
die() { log "no archive: $*"; exit 1; }

JAVA_BIN=$(jvm_bin)
KIND=$(archive_kind "$JAVA_BIN")
ARCHIVE=$(archive_path "$JAVA_BIN")
[ "$KIND" != none ] || die "Java $(jvm_major "$JAVA_BIN") cannot write a dynamic class archive (Java 13 or later can)"
[ -f "$SERVICE_JAR" ] || die "$SERVICE_JAR is missing (mvn -B -q -DskipTests package)"
JAVA_OPTS=$(CLASS_ARCHIVE=off ./run.sh java-opts 2>/dev/null)
ROUNDS=${CLASS_ARCHIVE_ROUNDS:-300}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/class-archive.XXXXXX")
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP" "$ARCHIVE.tmp" "$ARCHIVE.tmp.config"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {  # below the ephemeral range, and no socket on it in any state
  local low p
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  while :; do
    p=$((10000 + RANDOM % (low - 10000)))
    [ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ] && { echo "$p"; return; }
  done
}

REDIS_PORT=$(free_port)
if command -v redis-server >/dev/null; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 100); do [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.05; done
  [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] || die "the training run's own redis-server did not start"
else
  log "no redis-server: training without the cache"
fi

PORT=$(free_port)
# Without the method profiles of the training run (JEP 515): replayed, these one-connection profiles held cached
# search at ~10,000 req/s from the 3rd to the 8th second of load after a start, where without them it kept climbing
# to 20,000-30,000 (docs/PERFORMANCE.md, "Sixth round"). A JVM that lacks the flag records them.
NO_PROFILES=(-XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining)
"$JAVA_BIN" "${NO_PROFILES[@]}" -version >/dev/null 2>&1 || NO_PROFILES=()
case $KIND in
  aot) RECORD=(-XX:AOTCacheOutput="$ARCHIVE.tmp" "${NO_PROFILES[@]}") ;;
  cds) RECORD=(-XX:ArchiveClassesAtExit="$ARCHIVE.tmp") ;;
esac
log "training $(jvm_describe "$JAVA_BIN" | sed 's/; class archive.*//') on port $PORT"
START=$(date +%s)
# The environment's values win over the config file in the service, so these cannot be undone by the file.
# shellcheck disable=SC2086 # the flags are words
env POSTGRES_READ_ONLY=true SERVER_HOST=127.0.0.1 SERVER_PORT="$PORT" \
  REDIS_HOST=127.0.0.1 REDIS_PORT="$REDIS_PORT" REDIS_PASSWORD= CACHE_KEY_PREFIX=class-archive: \
  "$JAVA_BIN" $JAVA_OPTS "${RECORD[@]}" -jar "$SERVICE_JAR" >"$TMP/out" 2>"$TMP/err" &
JVM=$!
PIDS+=("$JVM")

BASE=http://127.0.0.1:$PORT
up=
for _ in $(seq 1 1500); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/api/v1/attendance/health")" = 200 ] && { up=1; break; }
  # The service's own last word ("attendance-api: ..."), not the framework's lines after it.
  kill -0 "$JVM" 2>/dev/null || die "the training run stopped: $(grep '^attendance-api: ' "$TMP/err" | tail -1 | cut -c1-300 \
    || grep -v '^\s*at ' "$TMP/err" | tail -2)"
  sleep 0.04
done
[ -n "$up" ] || die "the training run did not answer 200 on health within 60 s"

# One curl, one kept-alive connection, many requests: every read route, hits and misses, a 404, the errors.
API=/api/v1/attendance
{
  for i in $(seq 1 "$ROUNDS"); do
    for path in "$API/health" "$API/search?id=$((i % 50 + 1))" "$API/search?id=$((RANDOM % 100000 + 1))" \
        "$API/search?id=no-such-id-$i" "$API/search/all?limit=20&offset=$((i % 5 * 20))" "$API/search/all?status=Present&limit=10" \
        "$API/summary?from=2023-01-01&to=2023-01-31" "$API/export.csv?name=no-such-name-$((i % 3))" "$API/search?limit=x"; do
      printf 'url = "%s%s"\noutput = /dev/null\n' "$BASE" "$path"
    done
    if [ $((i % 10)) = 0 ]; then
      printf 'url = "%s/metrics"\noutput = /dev/null\n' "$BASE"
      printf 'url = "%s/api/v1/attendance/health/detail"\noutput = /dev/null\n' "$BASE"
    fi
  done
} >"$TMP/reads.curl"
# Creates with invalid bodies: refused by validation, before a connection is taken (with a valid body, PostgreSQL
# would refuse it anyway: the sessions are read-only).
{
  for i in $(seq 1 "$((ROUNDS / 3))"); do
    printf 'url = "%s%s/create"\noutput = /dev/null\nrequest = POST\nheader = "Content-Type: application/json"\ndata = "{\\"id\\":\\"x%d\\",\\"name\\":\\"\\",\\"status\\":\\"Present\\",\\"date\\":\\"2023-02-30\\"}"\n' \
      "$BASE" "$API" "$i"
  done
} >"$TMP/creates.curl"
curl -s --max-time 300 -K "$TMP/reads.curl" -K "$TMP/creates.curl" >/dev/null || die "the training requests failed"

# SIGTERM: the JVM writes the archive at exit (Java 25 forks a second JVM to assemble the cache).
kill -TERM "$JVM"
for _ in $(seq 1 1800); do kill -0 "$JVM" 2>/dev/null || break; sleep 0.1; done
kill -0 "$JVM" 2>/dev/null && die "the training run did not exit within 3 minutes"
[ -s "$ARCHIVE.tmp" ] || die "the JVM wrote no archive: $(tail -3 "$TMP/err")"

# The JVM must take it, or it is no use: -Xshare:on / AOTMode=on refuse to start on an archive they cannot map.
case $KIND in
  aot) CHECK=(-XX:AOTCache="$ARCHIVE.tmp" -XX:AOTMode=on) ;;
  cds) CHECK=(-XX:SharedArchiveFile="$ARCHIVE.tmp" -Xshare:on) ;;
esac
# shellcheck disable=SC2086
"$JAVA_BIN" $JAVA_OPTS "${CHECK[@]}" -jar "$SERVICE_JAR" version >/dev/null 2>"$TMP/check.err" \
  || die "the JVM refuses the archive it wrote: $(tail -2 "$TMP/check.err")"
mv -f "$ARCHIVE.tmp" "$ARCHIVE"
log "wrote ${ARCHIVE#"$PWD"/} ($(( $(stat -c %s "$ARCHIVE") / 1048576 )) MiB) in $(( $(date +%s) - START )) s"
