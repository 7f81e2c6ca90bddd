#!/usr/bin/env bash
# Build and serve the Attendance API, or run every test: the two commands of the README.
#   ./run.sh          build target/attendance-api.jar and serve it (config.yaml or $CONFIG_FILE)
#   ./run.sh test     run every test (unit, integration against real PostgreSQL and Redis, jar smoke test,
#                     two jars behind nginx through a rolling restart, Swagger UI in headless Chromium,
#                     the Prometheus alert rules under promtool, the Grafana dashboard and the alerts against
#                     a real Prometheus scraping the jar),
#                     then the benchmark harness in smoke mode (bench/run.sh --quick)
#   ./run.sh java-opts  print the JVM flags, the class archive's included (bench/run.sh starts the service with
#                     the same ones)
#   ./run.sh java     print the java binary those flags are for (scripts/jvm.sh: Temurin 25 when installed)
#   ./run.sh conf SECTION KEY  print a config value as the service reads it (file, then environment)
# Both first make sure the PostgreSQL and Redis that the config points at answer; when they are local and
# do not, this script installs (apt-get) and starts them, and creates the database and the login.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/jvm.sh
. scripts/jvm.sh

CONFIG="${CONFIG_FILE:-config.yaml}"
# The JVM flags of a production run, after the collector that suits the JVM (jvm_gc in scripts/jvm.sh); the
# systemd unit (Java 17) and the benchmark use the same ones. JAVA_OPTS replaces them all.
HEAP_OPTS="-Xms64m -Xmx192m -XX:+ExitOnOutOfMemoryError"
java_opts() { echo "${JAVA_OPTS:-$(jvm_gc "$1") $HEAP_OPTS}"; }

log() { echo "run.sh: $*" >&2; }

# Reads section.key from the block-style YAML config; an environment variable named SECTION_KEY wins,
# as it does in the service.
conf() {
  local section=$1 key=$2 default=${3:-} env
  env=$(echo "${section}_${key}" | tr '[:lower:]' '[:upper:]')
  if [ -n "${!env+x}" ]; then echo "${!env}"; return; fi
  local v
  v=$(awk -v s="$section" -v k="$key" '
    /^[^ #][^:]*:/ { insec = ($1 == s":") ; next }
    insec && $1 == k":" { sub(/^[^:]*:[ \t]*/, ""); sub(/[ \t]+#.*$/, ""); print; exit }
  ' "$CONFIG" 2>/dev/null)
  v=${v%\"}; v=${v#\"}; v=${v%\'}; v=${v#\'}
  echo "${v:-$default}"
}

# Whether section.key is set at all (in the environment, or in the file, even as a block list under it).
conf_has() {
  local env; env=$(echo "${1}_${2}" | tr '[:lower:]' '[:upper:]')
  [ -n "${!env+x}" ] && return 0
  awk -v s="$1" -v k="$2" '/^[^ #][^:]*:/ { insec = ($1 == s":"); next } insec && $1 == k":" { found = 1; exit }
    END { exit !found }' "$CONFIG" 2>/dev/null
}

is_local() { case "$1" in localhost|127.*|::1) return 0 ;; *) return 1 ;; esac; }

apt_install() {
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq >&2; APT_UPDATED=1; fi
  apt-get install -y -qq "$@" >&2
}

ensure_postgres() {
  local host port db user pw
  # A primary and its standbys are the operator's replication set: this script only ever sets up one server.
  if conf_has postgres hosts; then log "PostgreSQL hosts are listed (postgres.hosts): leaving them alone"; return; fi
  host=$(conf postgres host localhost); port=$(conf postgres port 5432)
  db=$(conf postgres database attendance_db); user=$(conf postgres user postgres); pw=$(conf postgres password)
  if ! is_local "$host"; then log "PostgreSQL at $host is not local: leaving it alone"; return; fi
  command -v pg_isready >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || apt_install postgresql
  if ! pg_isready -q -h "$host" -p "$port"; then
    if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
      local ver; ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
      log "creating PostgreSQL $ver cluster 'main' on port $port"
      pg_createcluster -p "$port" "$ver" main >&2
    fi
    local ver name
    read -r ver name _ < <(pg_lsclusters -h | awk -v p="$port" '$3 == p' | head -1)
    [ -n "${ver:-}" ] || { log "no PostgreSQL cluster is configured for port $port"; exit 1; }
    log "starting PostgreSQL cluster $ver/$name"
    pg_ctlcluster "$ver" "$name" start >&2 || true
    for _ in $(seq 1 30); do pg_isready -q -h "$host" -p "$port" && break; sleep 1; done
    pg_isready -q -h "$host" -p "$port" || { log "PostgreSQL did not come up on $host:$port"; exit 1; }
  fi
  # Debian's fresh server has no password for postgres: set the configured one (peer auth as the OS user). Only
  # then: a role that already has a password keeps it (a wrong or unread password in the config must never
  # change the server's), and an empty password is never set.
  if ! PGPASSWORD="$pw" psql -h "$host" -p "$port" -U "$user" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    [ -n "$pw" ] || { log "PostgreSQL refuses $user without a password and the config gives none (postgres.password)"; exit 1; }
    local q_user q_pw l_user has_pw
    q_user=$(printf '%s' "$user" | sed 's/"/""/g'); q_pw=$(printf '%s' "$pw" | sed "s/'/''/g")
    l_user=$(printf '%s' "$user" | sed "s/'/''/g")
    has_pw=$(runuser -u postgres -- psql -p "$port" -tAc "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = '$l_user'")
    if [ "$has_pw" = t ]; then
      log "PostgreSQL refuses the configured password of role $user, which has another: not changing it (check postgres.password)"
      exit 1
    fi
    log "setting the password of PostgreSQL role $user"
    runuser -u postgres -- psql -p "$port" -qc "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$l_user') THEN
        CREATE ROLE \"$q_user\" LOGIN SUPERUSER;
      END IF; END \$\$; ALTER ROLE \"$q_user\" WITH LOGIN PASSWORD '$q_pw';" >&2
  fi
  if [ -z "$(PGPASSWORD="$pw" psql -h "$host" -p "$port" -U "$user" -d postgres -tAc "select 1 from pg_database where datname = '$(printf '%s' "$db" | sed "s/'/''/g")'")" ]; then
    log "creating database $db"
    PGPASSWORD="$pw" psql -h "$host" -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE \"$db\"" >&2
  fi
}

ensure_redis() {
  local host port pw
  host=$(conf redis host localhost); port=$(conf redis port 6379); pw=$(conf redis password)
  if ! is_local "$host"; then log "Redis at $host is not local: leaving it alone"; return; fi
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || apt_install redis-server
  if [ "$(REDISCLI_AUTH="$pw" redis-cli -h "$host" -p "$port" ping 2>/dev/null)" != PONG ]; then
    log "starting Redis on port $port"
    mkdir -p /run/redis /var/log/redis /var/lib/redis
    chown redis:redis /run/redis /var/log/redis /var/lib/redis 2>/dev/null || true
    local args=(--port "$port" --daemonize yes --bind 127.0.0.1 -::1 --pidfile "/run/redis/redis-$port.pid")
    [ -n "$pw" ] && args+=(--requirepass "$pw")
    if id redis >/dev/null 2>&1 && [ -f /etc/redis/redis.conf ]; then
      runuser -u redis -- redis-server /etc/redis/redis.conf "${args[@]}" >&2
    else
      redis-server "${args[@]}" >&2
    fi
    for _ in $(seq 1 20); do [ "$(REDISCLI_AUTH="$pw" redis-cli -h "$host" -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.5; done
    [ "$(REDISCLI_AUTH="$pw" redis-cli -h "$host" -p "$port" ping 2>/dev/null)" = PONG ] || { log "Redis did not come up on $host:$port"; exit 1; }
  fi
}

ensure_tools() {
  command -v mvn >/dev/null || apt_install maven
  command -v curl >/dev/null || apt_install curl
}

# The end-to-end tests drive Debian's nginx (BehindNginxIT) and chromium through chromium-driver (SwaggerUiIT);
# AlertRulesTest runs promtool, PrometheusIT the prometheus server (both from the prometheus package) and gnuplot;
# AcceptQueueTest reads the listening backlog with ss (iproute2).
# The tests run nginx and prometheus from their own directories on free ports: the packages' own services (nginx
# on port 80, prometheus on 9090) must not start, so a policy-rc.d forbids service starts during the install
# unless the machine already has one.
ensure_test_tools() {
  local missing=()
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] || missing+=(prometheus)
  [ -x /usr/bin/gnuplot ] || missing+=(gnuplot-nox)
  [ -x /usr/bin/ss ] || missing+=(iproute2)
  [ ${#missing[@]} -gt 0 ] || return 0
  local policy=/usr/sbin/policy-rc.d added=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; added=1; fi
  local rc=0
  apt_install "${missing[@]}" || rc=$?
  if [ -n "$added" ]; then rm -f "$policy"; fi
  return $rc
}

case "${1:-serve}" in
  serve)
    ensure_tools; ensure_postgres; ensure_redis
    # Only when something changed: mvn package rewrites the jar, and that makes the class archive stale.
    if [ ! -f "$SERVICE_JAR" ] || [ -n "$(find src pom.xml migration -newer "$SERVICE_JAR" -print -quit)" ]; then
      mvn -B -q -DskipTests package >&2 # stdout carries only the JSON access log
    fi
    JAVA_BIN=$(jvm_bin)
    # The archive saves about half of the start (docs/PERFORMANCE.md); without it the service starts all the same.
    if [ "${CLASS_ARCHIVE:-on}" != off ] && [ "$(archive_kind "$JAVA_BIN")" != none ] && ! archive_fresh "$JAVA_BIN"; then
      # The training run's sessions are read-only, so a pending migration would stop it: apply it first, as the
      # start would, and even the first start on a new database has its archive.
      # shellcheck disable=SC2046 # the flags are words
      "$JAVA_BIN" $(java_opts "$JAVA_BIN") -jar "$SERVICE_JAR" migrate >&2 || log "the migration failed: the start will say why"
      scripts/class-archive.sh || log "starting without a class archive"
    fi
    log "$(jvm_describe "$JAVA_BIN")"
    # shellcheck disable=SC2046 # the flags are words
    exec "$JAVA_BIN" $(java_opts "$JAVA_BIN") $(archive_flags "$JAVA_BIN") -jar "$SERVICE_JAR"
    ;;
  test)
    ensure_tools; ensure_test_tools; ensure_postgres; ensure_redis
    mvn -B verify
    exec bench/run.sh --quick
    ;;
  services)
    ensure_tools; ensure_postgres; ensure_redis
    ;;
  java-opts)
    JAVA_BIN=$(jvm_bin)
    log "$(jvm_describe "$JAVA_BIN")"
    flags=$(archive_flags "$JAVA_BIN")
    echo "$(java_opts "$JAVA_BIN")${flags:+ $flags}"
    ;;
  java)
    jvm_bin
    ;;
  conf)
    [ $# -eq 3 ] || { echo "usage: ./run.sh conf SECTION KEY" >&2; exit 2; }
    conf "$2" "$3"
    ;;
  *)
    echo "usage: ./run.sh [serve|test|services|java-opts|java|conf SECTION KEY]" >&2; exit 2 ;;
esac
