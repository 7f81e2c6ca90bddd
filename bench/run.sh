#!/usr/bin/env bash
# The benchmark harness: the service against ceilings measured in the same run, on loopback.
#   bench/run.sh          full run (about 13 min): per scenario and concurrency a warm-up and 3 runs of 10 s;
#                         writes bench/results/latest.md and latest.json, prints the table, exits 3 if a target
#                         is missed
#   bench/run.sh --quick  smoke mode (about 3 min with the class-archive training, starts and ramps), part of ./run.sh test: 1 run of 1 s each; writes
#                         bench/results/quick.md|json; fails on errors and lost writes, never on missed targets
# It builds the jar if needed, starts PostgreSQL and Redis through ./run.sh services, installs wrk and nginx when
# missing, and makes its own databases (attendance_bench_<run>_*), Redis keys (attendance_bench_<run>:*),
# processes and temp directory; all of them are removed on exit, failure included.
# Environment (experiments): BENCH_ONLY="health bare_json ..." runs only the named scenarios and ceilings (the
# names of results/*.json, plus startup, ramp, big and burst); BENCH_DURATION and BENCH_RUNS override run length and count,
# BENCH_STARTS the number of starts, BENCH_RAMP_SECONDS the ramp's length; BENCH_OUT=name writes results/name.*;
# BENCH_JAR=path measures another build of the jar (A/B, without a class archive); BENCH_SERVICE_OPTS adds JVM flags
# to the service (GC, JFR); JAVA_OPTS replaces run.sh's flags as it does for ./run.sh, JAVA=path its JVM (default:
# the one run.sh picks); CLASS_ARCHIVE=off runs without the class archive; POSTGRES_POOL_SIZE, SERVER_MAX_THREADS, ...
# reach the service as usual; BENCH_KEEP=1 keeps the temp directory (logs, measurements).
set -euo pipefail
cd "$(dirname "$0")/.."

START=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
MODE=full
case "${1:-}" in
  --quick) MODE=quick ;;
  "") ;;
  *) echo "usage: bench/run.sh [--quick]" >&2; exit 2 ;;
esac

CONCS=(16 64)
THREADS=2                      # wrk threads; the machine has 2 cores
if [ "$MODE" = quick ]; then
  WARMUP=1 DURATION=1 RUNS=1 CEIL_DURATION=2 CEIL_RUNS=1 THROTTLE_DURATION=1 STARTS=3 RAMP_SECONDS=5 REDIS_N=20000
else
  WARMUP=2 DURATION=10 RUNS=3 CEIL_DURATION=3 CEIL_RUNS=3 THROTTLE_DURATION=10 STARTS=10 RAMP_SECONDS=20 REDIS_N=200000
fi
DURATION=${BENCH_DURATION:-$DURATION} RUNS=${BENCH_RUNS:-$RUNS}
STARTS=${BENCH_STARTS:-$STARTS} RAMP_SECONDS=${BENCH_RAMP_SECONDS:-$RAMP_SECONDS}
BIG_ROWS=1000000               # search/all with -Xmx64m (quick: over the 100,000-row database instead)
LUA=$PWD/bench/lua
JAR=${BENCH_JAR:-$PWD/target/attendance-api.jar}   # absolute, as the class archive names it
# The ceilings (BareServer) and the report (BenchReport) are test sources, kept out of the service jar; they run
# on the jar's libraries.
BENCH_CP=target/test-classes:$JAR
RESULTS=bench/results
OUT_NAME=${BENCH_OUT:-$([ "$MODE" = quick ] && echo quick || echo latest)}

log() { echo "bench: [$(( $(date +%s) - ${START:-$(date +%s)} ))s] $*" >&2; }
want() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
# The reason is printed last, after the logs, by cleanup; kept in a file because die may run in a subshell.
die() { echo "$*" >"${TMP:-/dev/null}/failure" 2>/dev/null || log "FAILED: $*"; exit 1; }

apt_install() {
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # Other apt-get runs may hold the lock for a while: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$@" >&2
}

# ---------------------------------------------------------------- tools, services, jar
./run.sh services
command -v wrk >/dev/null || apt_install wrk
command -v ss >/dev/null || apt_install iproute2
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  # The package must not start its own nginx on port 80: forbid service starts during the install.
  added_policy=
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; added_policy=1; }
  apt_install nginx || { [ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d; exit 1; }
  [ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d
fi
PATH=$PATH:/usr/sbin
command -v pgbench >/dev/null || apt_install postgresql-client
command -v redis-benchmark >/dev/null || apt_install redis-tools
if [ ! -d target/test-classes/org/otmicroservices/attendance/bench ] || { [ -z "${BENCH_JAR:-}" ] && { [ ! -f "$JAR" ] \
    || [ -n "$(find src pom.xml migration -newer "$JAR" -print -quit)" ]; }; }; then
  log "building $JAR"
  mvn -B -q -DskipTests package
fi
JAVA_BIN=$(./run.sh java)
# run.sh's flags without the class archive: for migrate and the ceilings (another class path, which the archive does
# not fit), and for the "before" starts and ramps. SERVICE_OPTS, with the archive, is set once it is made (below).
JAVA_OPTS=$(CLASS_ARCHIVE=off ./run.sh java-opts 2>/dev/null)
PLAIN_OPTS=$JAVA_OPTS${BENCH_SERVICE_OPTS:+ $BENCH_SERVICE_OPTS}
SERVICE_OPTS=$PLAIN_OPTS

PG_HOST=$(./run.sh conf postgres host); PG_PORT=$(./run.sh conf postgres port)
PG_USER=$(./run.sh conf postgres user); PG_PASSWORD=$(./run.sh conf postgres password)
REDIS_HOST=$(./run.sh conf redis host); REDIS_PORT=$(./run.sh conf redis port)
REDIS_PASSWORD=$(./run.sh conf redis password)
POOL_SIZE=$(./run.sh conf postgres pool_size); POOL_SIZE=${POOL_SIZE:-8}
export PGHOST=$PG_HOST PGPORT=$PG_PORT PGUSER=$PG_USER PGPASSWORD=$PG_PASSWORD
REDIS_ARGS=(-h "$REDIS_HOST" -p "$REDIS_PORT")
[ -n "$REDIS_PASSWORD" ] && REDIS_ARGS+=(-a "$REDIS_PASSWORD" --no-auth-warning)

# ---------------------------------------------------------------- what this run owns, removed on exit
RUN_ID=attendance_bench_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
PREFIX="$RUN_ID:"
TMP=$(mktemp -d "/tmp/$RUN_ID.XXXX")
PIDS=()
DBS=()

stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  for db in "${DBS[@]}"; do psql -d postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null; done
  redis-cli "${REDIS_ARGS[@]}" --scan --pattern "$PREFIX*" | xargs -r -n 500 redis-cli "${REDIS_ARGS[@]}" del >/dev/null
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
    for f in "$TMP"/*.err; do
      grep -q -E 'ERROR|Exception|FATAL|emerg' "$f" 2>/dev/null || continue
      log "errors in $(basename "$f"):"; grep -E 'ERROR|Exception|FATAL|emerg' "$f" | tail -3 >&2
    done
    log "FAILED: $(cat "$TMP/failure" 2>/dev/null || echo "exit status $rc")"
  fi
  if [ -n "${BENCH_KEEP:-}" ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  log "finished (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port below the kernel's ephemeral range (where outgoing connections take their local ports, so a port
# free now could be taken before our server binds it) that no socket uses in any state.
free_port() {
  local low p
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  while :; do
    p=$((10000 + RANDOM % (low - 10000)))
    [ -z "$(ss -Htan "sport = :$p")" ] && { echo "$p"; return; }
  done
}

sql() { psql -v ON_ERROR_STOP=1 -qAt -d "$1" -c "$2"; }

new_db() {  # new_db NAME: an empty database owned by this run
  DBS+=("$RUN_ID"_"$1")
  sql postgres "CREATE DATABASE \"${RUN_ID}_$1\""
}

# ---------------------------------------------------------------- the service
declare -A PORT PID T0

yaml_str() { local q="'"; printf "'%s'" "${1//$q/$q$q}"; }   # a YAML single-quoted scalar

write_config() {  # write_config FILE DATABASE PORT TTL
  cat >"$1" <<EOF
postgres: {host: $(yaml_str "$PG_HOST"), port: $PG_PORT, database: $(yaml_str "$2"), user: $(yaml_str "$PG_USER"), password: $(yaml_str "$PG_PASSWORD")}
redis: {host: $(yaml_str "$REDIS_HOST"), port: $REDIS_PORT, password: $(yaml_str "$REDIS_PASSWORD")}
server: {host: 127.0.0.1, port: $3}
cache: {ttl_seconds: $4, key_prefix: $(yaml_str "$PREFIX")}
EOF
}

# launch NAME DATABASE TTL JVM_FLAGS: starts an instance in the background (the environment's
# overrides of the service keys are fixed to the generated config's values, which must win; a write token
# from the caller's environment would turn every create into a 401).
launch() {
  local name=$1 db=${RUN_ID}_$2 ttl=$3 port
  port=$(free_port)
  write_config "$TMP/$name.yaml" "$db" "$port" "$ttl"
  T0[$name]=${EPOCHREALTIME/./} # microseconds
  # shellcheck disable=SC2086 # the flags are words
  env -u ATTENDANCE_WRITE_TOKEN -u AUTH_WRITE_TOKEN \
    CONFIG_FILE="$TMP/$name.yaml" POSTGRES_DATABASE="$db" SERVER_HOST=127.0.0.1 SERVER_PORT="$port" \
    CACHE_TTL_SECONDS="$ttl" CACHE_KEY_PREFIX="$PREFIX" \
    "$JAVA_BIN" $4 -jar "$JAR" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  PID[$name]=$!
  PORT[$name]=$port
  PIDS+=("$!")
}

# wait_health NAME [PATH]: until the instance answers 200, asked every 5 ms. Only bash builtins in the loop (its
# /dev/tcp, read -t as the sleep, EPOCHREALTIME): a curl and a sleep per try were two processes every 25 ms, CPU
# taken from the start they were timing on these 2 cores.
wait_health() {
  local name=$1 path=${2:-/api/v1/attendance/health} deadline=$(( ${EPOCHREALTIME/./} + 60000000 )) fd line tick
  exec {tick}<> <(:) # a pipe nobody writes to: read -t on it waits the whole time-out
  while (( ${EPOCHREALTIME/./} < deadline )); do
    line=
    if exec {fd}<>"/dev/tcp/127.0.0.1/${PORT[$name]}"; then
      printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&"$fd"
      read -r -t 2 -u "$fd" line || true
      exec {fd}>&-
    fi 2>/dev/null
    if [[ $line == "HTTP/1.1 200 "* ]]; then exec {tick}>&-; return 0; fi
    kill -0 "${PID[$name]}" 2>/dev/null || die "$name exited during start-up: $(tail -3 "$TMP/$name.err")"
    read -r -t 0.005 -u "$tick" || true
  done
  die "$name did not answer 200 on $path within 60 s"
}

stop() { stop_pid "${PID[$1]}"; }

url() { echo "http://127.0.0.1:${PORT[$1]}$2"; }

# ---------------------------------------------------------------- measurements
MEASUREMENTS=$TMP/measurements.jsonl
: >"$MEASUREMENTS"
emit() { echo "$1" >>"$MEASUREMENTS"; }

# wrk_json CONC SECONDS SCRIPT URL: one wrk run; prints its BENCH_RESULT object (extra BENCH_* env passes through).
wrk_json() {
  local out
  out=$(BENCH_LUA=$LUA BENCH_THREADS=$THREADS wrk -t"$THREADS" -c"$1" -d"$2"s --timeout 10s --latency \
        -s "$LUA/$3" "$4") || die "wrk failed against $4: $out"
  grep '^BENCH_RESULT ' <<<"$out" | sed 's/^BENCH_RESULT //' | grep . || die "wrk printed no result for $4: $out"
}

field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" <<<"$1"; }

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

SATURATION=0 SATURATION_CONC=16   # the best median req/s of the last load() and its connections, for throttled()

# load NAME KIND(service|ceiling) SCRIPT URL [HOOK] [WARMUP RUNS DURATION]: warm-up, then runs at each concurrency.
# HOOK (the writes check) is called as HOOK before|after CONC RUN RESULT.
load() {
  local name=$1 script=$3 url=$4 hook=${5:-} warmup=${6:-$WARMUP} runs=${7:-$RUNS} duration=${8:-$DURATION}
  local conc run result rps best=0 best_conc=16 m
  want "$name" || return 0
  for conc in "${CONCS[@]}"; do
    log "$name @$conc"
    [ "$warmup" -gt 0 ] && BENCH_TAG="${name}_w$conc" wrk_json "$conc" "$warmup" "$script" "$url" >/dev/null
    [ "$MODE" = quick ] && warmup=0   # quick: one warm-up per scenario is enough for a smoke test
    rps=()
    for run in $(seq 1 "$runs"); do
      [ -n "$hook" ] && $hook before "$conc" "$run" ""
      result=$(BENCH_TAG="${name}_${conc}_$run" wrk_json "$conc" "$duration" "$script" "$url")
      [ -n "$hook" ] && $hook after "$conc" "$run" "$result"
      emit "{\"type\":\"load\",\"kind\":\"$2\",\"name\":\"$name\",\"conc\":$conc,\"run\":$run,${result#\{}"
      rps+=("$(field "$result" rps)")
    done
    m=$(median "${rps[@]}")
    if awk -v a="$best" -v b="$m" 'BEGIN { exit !(b > a) }'; then best=$m; best_conc=$conc; fi
  done
  SATURATION=$best SATURATION_CONC=$best_conc
}

# throttled NAME SCRIPT URL: p99 at half the saturating rate, paced by the Lua throttle, with the connections
# that saturated (fewer might not reach the rate at all: then the run would be saturated, not at half load).
throttled() {
  local target result
  want "$1" || return 0
  target=$(awk -v s="$SATURATION" 'BEGIN { printf "%d", s / 2 }')
  log "$1 throttled to $target req/s over $SATURATION_CONC connections"
  result=$(BENCH_RATE=$target BENCH_TAG="$1_throttled" wrk_json "$SATURATION_CONC" "$THROTTLE_DURATION" "$2" "$3")
  emit "{\"type\":\"throttled\",\"name\":\"$1\",\"conc\":$SATURATION_CONC,\"target_rps\":$target,${result#\{}"
}

# The writes check: every 200 the service logged is a new row, and every 2xx wrk saw is among them. The
# access log of a full run grows to hundreds of MB (health, searches), so only what a run appended is read.
WRITES_INSTANCE=main
settled_size() {  # the access log is written by a background thread: wait until it stops growing
  local a b
  a=$(stat -c %s "$TMP/$WRITES_INSTANCE.out")
  for _ in $(seq 1 50); do
    sleep 0.3; b=$(stat -c %s "$TMP/$WRITES_INSTANCE.out")
    [ "$a" = "$b" ] && { echo "$b"; return; }
    a=$b
  done
  die "the access log of $WRITES_INSTANCE did not settle"
}
writes_check() {
  local phase=$1 conc=$2 run=$3 result=$4 rows size logged client
  size=$(settled_size)
  rows=$(sql "${RUN_ID}_main" "SELECT count(*) FROM records")
  if [ "$phase" = before ]; then
    ROWS_BEFORE=$rows LOG_OFFSET=$size
    return
  fi
  logged=$(tail -c +$((LOG_OFFSET + 1)) "$TMP/$WRITES_INSTANCE.out" \
    | grep -c '"request": "POST /api/v1/attendance/create HTTP/1.1", "status_code": "200"' || true)
  # wrk counts every 2xx; only in the create scenario are they all creates (in the mixed one, 90 % are reads).
  client=null
  [ "$CHECK_NAME" = create ] && client=$(( $(field "$result" requests) - $(field "$result" non_2xx) ))
  emit "{\"type\":\"writes\",\"name\":\"$CHECK_NAME\",\"conc\":$conc,\"run\":$run,\"rows\":$((rows - ROWS_BEFORE)),\"server_200\":$logged,\"client_2xx\":$client}"
}

seed() {  # seed DATABASE FROM TO: rows FROM..TO, ids as text
  sql "${RUN_ID}_$1" "INSERT INTO records (id, name, status, date)
    SELECT g::text, 'Employee ' || g, (ARRAY['Present', 'Absent', 'Leave'])[1 + g % 3], DATE '2023-01-01' + (g % 365)
    FROM generate_series($2, $3) g"
  sql "${RUN_ID}_$1" "VACUUM ANALYZE records"
}

log "run $RUN_ID ($MODE) on $JAVA_BIN"

# ---------------------------------------------------------------- databases
# One migrated template, copied: the service's own `migrate` creates the schema exactly as in production.
new_db tpl
write_config "$TMP/migrate.yaml" "${RUN_ID}_tpl" 0 0
CONFIG_FILE="$TMP/migrate.yaml" POSTGRES_DATABASE="${RUN_ID}_tpl" "$JAVA_BIN" $JAVA_OPTS -jar "$JAR" migrate 2>"$TMP/migrate.err" \
  || die "migrate failed: $(tail -3 "$TMP/migrate.err")"
for db in main lists big; do
  [ "$db" = big ] && [ "$MODE" = quick ] && continue
  DBS+=("${RUN_ID}_$db")
  sql postgres "CREATE DATABASE \"${RUN_ID}_$db\" TEMPLATE \"${RUN_ID}_tpl\""
done
seed main 1 100000
seed lists 1 100
[ "$MODE" = full ] && seed big 1 "$BIG_ROWS"
BIG_DB=$([ "$MODE" = quick ] && echo main || echo big)

# ---------------------------------------------------------------- the class archive (scripts/class-archive.sh)
# The service runs as run.sh starts it: with the class archive of this JVM, made now if the jar is newer, by a
# read-only training run against the main database (the one the start-up and ramp scenarios start on).
ARCHIVE=
if [ -z "${BENCH_JAR:-}" ] && [ "${CLASS_ARCHIVE:-on}" != off ]; then
  if [ "$(./run.sh java-opts 2>/dev/null)" = "$JAVA_OPTS" ]; then
    write_config "$TMP/train.yaml" "${RUN_ID}_main" 0 20
    CONFIG_FILE="$TMP/train.yaml" POSTGRES_DATABASE="${RUN_ID}_main" scripts/class-archive.sh \
      || log "no class archive: measuring without it"
  fi
  SERVICE_OPTS=$(./run.sh java-opts 2>/dev/null)${BENCH_SERVICE_OPTS:+ $BENCH_SERVICE_OPTS}
  [ "$SERVICE_OPTS" != "$PLAIN_OPTS" ] && ARCHIVE=1
fi
log "service flags: $SERVICE_OPTS"

# ---------------------------------------------------------------- database and cache ceilings (nothing else of ours connected)
new_db pgbench
pgbench -i -s 1 -q "${RUN_ID}_pgbench" >/dev/null 2>"$TMP/pgbench.err" || die "pgbench -i: $(tail -3 "$TMP/pgbench.err")"
sql "${RUN_ID}_pgbench" "CREATE TABLE scratch (id text PRIMARY KEY, name text, status text, date date)"
cat >"$TMP/insert.sql" <<'EOF'
\set n :n + 1
INSERT INTO scratch (id, name, status, date) VALUES ((:client_id::bigint * 1000000000 + :n)::text, 'Bench Employee', 'Present', DATE '2023-01-31');
EOF
pgbench_load() {  # pgbench_load NAME ARGS...: CEIL_RUNS runs per concurrency
  local name=$1 conc run out tps failed; shift
  want "$name" || return 0
  for conc in "${CONCS[@]}"; do
    log "$name @$conc"
    for run in $(seq 1 "$CEIL_RUNS"); do
      sql "${RUN_ID}_pgbench" "TRUNCATE scratch"
      out=$(pgbench -n -M prepared -c "$conc" -j "$THREADS" -T "$CEIL_DURATION" "$@" "${RUN_ID}_pgbench" 2>&1) \
        || die "pgbench $name @$conc: $(tail -3 <<<"$out")"
      tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")
      if [ -z "$tps" ]; then   # e.g. the clients' connections took the whole (quick) run: no figure, no ratio
        log "pgbench $name @$conc gave no tps: $(tail -2 <<<"$out" | tr '\n' ' ')"
        continue
      fi
      failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' <<<"$out")
      lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$out")
      emit "{\"type\":\"load\",\"kind\":\"ceiling\",\"name\":\"$name\",\"conc\":$conc,\"run\":$run,\"rps\":$tps,\"latency_avg_ms\":${lat:-null},\"errors\":${failed:-0}}"
    done
  done
}
pgbench_load pgbench_select -S
pgbench_load pgbench_insert -f "$TMP/insert.sql" -D n=0

for conc in "${CONCS[@]}"; do
  want redis_get || break
  log "redis_get @$conc"
  for run in $(seq 1 "$CEIL_RUNS"); do
    line=$(redis-benchmark "${REDIS_ARGS[@]}" -t get -c "$conc" -n "$REDIS_N" --csv | grep '^"GET"') \
      || die "redis-benchmark failed"
    IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"${line//\"/}"
    emit "{\"type\":\"load\",\"kind\":\"ceiling\",\"name\":\"redis_get\",\"conc\":$conc,\"run\":$run,\"rps\":$rps,\"p50_ms\":$p50,\"p99_ms\":$p99,\"errors\":0}"
  done
done

# ---------------------------------------------------------------- HTTP ceilings: bare Javalin, nginx
launch_bare() {
  local port; port=$(free_port)
  # shellcheck disable=SC2086
  "$JAVA_BIN" $JAVA_OPTS -cp "$BENCH_CP" org.otmicroservices.attendance.bench.BareServer "$port" \
    "jdbc:postgresql://$PG_HOST:$PG_PORT/${RUN_ID}_main" "$PG_USER" "$PG_PASSWORD" "$POOL_SIZE" \
    >"$TMP/bare.out" 2>"$TMP/bare.err" &
  PID[bare]=$!; PORT[bare]=$port; PIDS+=("$!")
}
# All at once: start-ups overlap, and idle instances cost nothing measurable.
launch_bare
launch main main 20 "$SERVICE_OPTS"             # cache on: scenarios 1, 2, 5, 6, 8 (RSS)
launch uncached main 0 "$SERVICE_OPTS"          # cache.ttl_seconds 0: scenario 3
launch lists lists 20 "$SERVICE_OPTS"           # scenario 4
launch lists_uncached lists 0 "$SERVICE_OPTS"
wait_health bare /json
for name in main uncached lists lists_uncached; do wait_health "$name"; done

mkdir -p "$TMP/nginx/www" "$TMP/nginx/tmp"
chmod 711 "$TMP"; chmod -R 755 "$TMP/nginx"   # nginx's workers run as nobody
curl -sf -o "$TMP/nginx/www/small.json" "$(url main /api/v1/attendance/health)"
NGINX_PORT=$(free_port)
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  open_file_cache max=16;
  types { application/json json; }
  client_body_temp_path $TMP/nginx/tmp/body;
  proxy_temp_path $TMP/nginx/tmp/proxy;
  fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
  scgi_temp_path $TMP/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=1024;
    root $TMP/nginx/www;
  }
}
EOF
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' 2>"$TMP/nginx.err" &
PID[nginx]=$!; PORT[nginx]=$NGINX_PORT; PIDS+=("$!")
for _ in $(seq 1 100); do curl -sf -o /dev/null "$(url nginx /small.json)" && break; sleep 0.05; done
curl -sf -o /dev/null "$(url nginx /small.json)" || die "nginx did not come up: $(cat "$TMP/nginx.err")"

# ---------------------------------------------------------------- scenarios 1-3 with their ceilings
load bare_json ceiling get.lua "$(url bare /json)" "" "$WARMUP" "$CEIL_RUNS" "$CEIL_DURATION"
load nginx_small ceiling get.lua "$(url nginx /small.json)" "" 0 "$CEIL_RUNS" "$CEIL_DURATION"
if want burst; then
  # The floor for scenario 9: nginx, with the service's accept queue, answering the same burst.
  burst=$("$JAVA_BIN" -cp "$BENCH_CP" org.otmicroservices.attendance.bench.Burst nginx 127.0.0.1 "$NGINX_PORT" /small.json 1000) \
    || die "the burst client failed against nginx"
  log "connection burst, nginx: $burst"
  emit "$burst"
fi
load health service get.lua "$(url main /api/v1/attendance/health)"
throttled health get.lua "$(url main /api/v1/attendance/health)"
load search_cached service get.lua "$(url main '/api/v1/attendance/search?id=1')"
throttled search_cached get.lua "$(url main '/api/v1/attendance/search?id=1')"

export BENCH_ROWS=100000
BENCH_PATH='/select?id=' load bare_select ceiling search_random.lua "$(url bare /)" "" "$WARMUP" "$CEIL_RUNS" "$CEIL_DURATION"
stop bare
load search_uncached service search_random.lua "$(url uncached /)"
throttled search_uncached search_random.lua "$(url uncached /)"
stop uncached

# ---------------------------------------------------------------- scenario 4: search/all, 100 then 10,000 rows
load search_all_100_cached service get.lua "$(url lists /api/v1/attendance/search/all)"
load search_all_100_uncached service get.lua "$(url lists_uncached /api/v1/attendance/search/all)"
seed lists 101 10000
redis-cli "${REDIS_ARGS[@]}" incr "${PREFIX}generation" >/dev/null   # as a write through the service would
curl -sf -o "$TMP/nginx/www/all10k.json" "$(url lists /api/v1/attendance/search/all)"
chmod 644 "$TMP/nginx/www/all10k.json"
[ "$(grep -o '{"id":' "$TMP/nginx/www/all10k.json" | wc -l)" = 10000 ] || die "search/all did not return 10,000 records"
load nginx_10k ceiling get.lua "$(url nginx /all10k.json)" "" 0 "$CEIL_RUNS" "$CEIL_DURATION"
load search_all_10k_cached service get.lua "$(url lists /api/v1/attendance/search/all)"
if want search_all_10k_304; then
  # No ETag while the cache is failing (CachedReads): a Redis read that timed out under the load just before
  # opens the breaker until the next probe, so give it a few probe intervals to close again.
  ETAG=
  for _ in $(seq 1 50); do
    ETAG=$(curl -sf -D - -o /dev/null "$(url lists /api/v1/attendance/search/all)" | awk 'tolower($1) == "etag:" { print $2 }' | tr -d '\r')
    [ -n "$ETAG" ] && break
    sleep 0.1
  done
  [ -n "$ETAG" ] || die "search/all answered without an ETag for 5 s"
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $ETAG" "$(url lists /api/v1/attendance/search/all)")" = 304 ] \
    || die "search/all with If-None-Match: $ETAG did not answer 304"
  BENCH_ETAG=$ETAG load search_all_10k_304 service conditional.lua "$(url lists /api/v1/attendance/search/all)"
fi
load search_all_10k_uncached service get.lua "$(url lists_uncached /api/v1/attendance/search/all)"
stop lists; stop lists_uncached; stop nginx

# ---------------------------------------------------------------- scenario 9: a connection burst
# 1,000 clients connecting at the same moment, one health request each: the listener's backlog
# (server.accept_queue) must hold them all, or the kernel drops SYNs that the clients retry a second later.
if want burst; then
  burst=$("$JAVA_BIN" -cp "$BENCH_CP" org.otmicroservices.attendance.bench.Burst health 127.0.0.1 "${PORT[main]}" \
    /api/v1/attendance/health 1000) || die "the burst client failed"
  log "connection burst: $burst"
  emit "$burst"
fi

# ---------------------------------------------------------------- scenarios 5 and 6 with the insert ceiling above
CHECK_NAME=create load create service create.lua "$(url main /)" writes_check
CHECK_NAME=mixed BENCH_HOT=100 load mixed service mixed.lua "$(url main /)" writes_check
if want mixed; then
  RSS_KIB=$(awk '/^VmRSS:/ { print $2 }' "/proc/${PID[main]}/status")
  emit "{\"type\":\"rss\",\"name\":\"after_mixed\",\"kib\":$RSS_KIB}"
fi
stop main

# ---------------------------------------------------------------- scenario 7: start-up on an up-to-date database
# Interleaved, so a change of the machine's speed (other builds on the same cores) hits every variant alike:
# java -version alone (the floor: a JVM that loads nothing of ours), then the service without and with the class
# archive. Each start: exec to the first 200 on health.
want startup || STARTS=0
# The rows the create and mixed runs wrote would otherwise be vacuumed, analysed and checkpointed by
# PostgreSQL during the starts, on the same 2 cores: settle that first, so the starts measure the service.
settle_db() { sql "${RUN_ID}_main" "VACUUM ANALYZE records" && sql postgres "CHECKPOINT"; }
[ "$STARTS" -gt 0 ] && settle_db
declare -A STARTUP_MS
start_once() {  # start_once VARIANT FLAGS: one start, its milliseconds appended to STARTUP_MS[VARIANT]
  launch "start_$1" main 20 "$2"
  wait_health "start_$1"
  STARTUP_MS[$1]+="${STARTUP_MS[$1]:+,}$(( (${EPOCHREALTIME/./} - T0[start_$1]) / 1000 ))"
  stop "start_$1"
}
for i in $(seq 1 "$STARTS"); do
  t=${EPOCHREALTIME/./}
  "$JAVA_BIN" -version >/dev/null 2>&1
  STARTUP_MS[java_version]+="${STARTUP_MS[java_version]:+,}$(( (${EPOCHREALTIME/./} - t) / 1000 ))"
  start_once no_archive "$PLAIN_OPTS"
  [ -n "$ARCHIVE" ] && start_once archive "$SERVICE_OPTS"
done
for variant in java_version no_archive archive; do
  [ -n "${STARTUP_MS[$variant]:-}" ] || continue
  log "start-up, $variant: ${STARTUP_MS[$variant]} ms"
  emit "{\"type\":\"startup\",\"name\":\"$variant\",\"ms\":[${STARTUP_MS[$variant]}]}"
done

# ---------------------------------------------------------------- scenario 10: the ramp after a start
# A new instance per scenario and variant; from its first 200, wrk (16 connections) for RAMP_SECONDS, its 2xx
# answers counted per second (lua/ramp.lua). Without and with the class archive, side by side per scenario.
# Successive create ramps on one database started slower each time, whatever the flags: so PostgreSQL is settled
# before each ramp, and the variant that goes first alternates from scenario to scenario.
RAMP_ORDER=(no_archive archive)
ramp() {  # ramp SCENARIO KIND TTL PATH
  local scenario=$1 variant opts out line
  for variant in "${RAMP_ORDER[@]}"; do
    [ "$variant" = archive ] && [ -z "$ARCHIVE" ] && continue
    opts=$([ "$variant" = archive ] && echo "$SERVICE_OPTS" || echo "$PLAIN_OPTS")
    log "ramp $scenario, $variant"
    settle_db
    launch "ramp" main "$3" "$opts"
    wait_health ramp
    out=$(BENCH_LUA=$LUA BENCH_THREADS=$THREADS BENCH_T0_MS=$(( ${EPOCHREALTIME/./} / 1000 )) BENCH_RAMP=$2 \
          BENCH_RAMP_SECONDS=$RAMP_SECONDS BENCH_TAG="ramp_${scenario}_$variant" BENCH_ROWS=100000 \
          wrk -t"$THREADS" -c16 -d"$((RAMP_SECONDS + 1))"s --timeout 10s -s "$LUA/ramp.lua" "$(url ramp "$4")") \
      || die "wrk failed in the ramp of $scenario: $out"
    line=$(sed -n 's/^BENCH_RAMP //p' <<<"$out")
    [ -n "$line" ] || die "wrk printed no ramp for $scenario: $out"
    emit "{\"type\":\"ramp\",\"name\":\"$scenario\",\"variant\":\"$variant\",\"conc\":16,${line#\{}"
    stop ramp
  done
  RAMP_ORDER=("${RAMP_ORDER[1]}" "${RAMP_ORDER[0]}")
}
if want ramp; then
  ramp search_cached cached 20 '/api/v1/attendance/search?id=1'
  ramp create create 20 /
  ramp search_uncached random 0 /api/v1/attendance/search
fi

# ---------------------------------------------------------------- scenario 8: search/all of every row with -Xmx64m
if want big; then
big_opts="$(sed -E 's/(^| )-Xm[sx][^ ]*//g' <<<"$SERVICE_OPTS") -Xms32m -Xmx64m"
launch big "$BIG_DB" 20 "$big_opts"
wait_health big
rows=$(sql "${RUN_ID}_$BIG_DB" "SELECT count(*) FROM records")
log "search/all over $rows rows with -Xmx64m"
read -r status bytes seconds < <(curl -s -o "$TMP/big.json" -w '%{http_code} %{size_download} %{time_total}\n' \
  --max-time 300 "$(url big /api/v1/attendance/search/all)" || echo "000 0 0")
records=$(tr -cd '{' <"$TMP/big.json" | wc -c)
rm -f "$TMP/big.json"
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/${PID[big]}/status" 2>/dev/null || echo 0)
emit "{\"type\":\"big\",\"rows\":$rows,\"heap\":\"-Xmx64m\",\"status\":$status,\"records\":$records,\"bytes\":$bytes,\"seconds\":$seconds,\"vmhwm_kib\":${hwm:-0}}"
stop big
fi

# ---------------------------------------------------------------- report
mkdir -p "$RESULTS"
cat >"$TMP/meta.json" <<EOF
{"mode":"$MODE","date":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","machine":"$(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average at the start $LOAD_BEFORE","java":"$("$JAVA_BIN" -version 2>&1 | head -1 | tr -d '"')","java_opts":"$SERVICE_OPTS","method":"wrk -t$THREADS on loopback, per scenario and concurrency a ${WARMUP} s warm-up then $RUNS × ${DURATION} s (ceilings $CEIL_RUNS × ${CEIL_DURATION} s), median and spread (max − min) / median; errors = non-2xx + socket errors","seconds":$(( $(date +%s) - START ))}
EOF
rc=0
"$JAVA_BIN" -cp "$BENCH_CP" org.otmicroservices.attendance.bench.BenchReport "$MEASUREMENTS" "$TMP/meta.json" \
  "$RESULTS/$OUT_NAME.md" "$RESULTS/$OUT_NAME.json" $([ "$MODE" = full ] && echo --enforce-targets) || rc=$?
if [ -f "$RESULTS/$OUT_NAME.ramp.tsv" ]; then
  command -v gnuplot >/dev/null || apt_install gnuplot-nox
  gnuplot -e "data='$RESULTS/$OUT_NAME.ramp.tsv'; out='$RESULTS/$OUT_NAME.ramp.png'; subtitle='$MODE run, $(date -u +%Y-%m-%d), $("$JAVA_BIN" -version 2>&1 | head -1 | tr -d "\"'")'" \
    bench/ramp.gp 2>"$TMP/gnuplot.err" || die "gnuplot failed: $(tail -3 "$TMP/gnuplot.err")"
  log "ramp plot in $RESULTS/$OUT_NAME.ramp.png"
fi
log "measured; results in $RESULTS/$OUT_NAME.md and $RESULTS/$OUT_NAME.json"
case $rc in
  0) ;;
  3) log "some targets were missed (see the table)"; exit 3 ;;
  *) die "errors or lost writes (see the table above)" ;;
esac
