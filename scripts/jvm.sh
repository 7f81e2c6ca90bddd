# The JVM that run.sh, scripts/class-archive.sh and bench/run.sh start the service on, and its class archive.
# Sourced by them (bash), from the project directory.
#
# The newest JDK first: on Java 25 the archive is an AOT cache (JEP 483/514/515: classes loaded and linked, and
# method profiles, so the JIT starts from the training run's), on 17 an AppCDS archive (classes parsed and
# verified). Java 17 stays the floor (Debian 12, Ubuntu 22.04): without Temurin 25 everything runs on it.
# JAVA=/path/to/java picks another one.
PREFERRED_JDKS=(/usr/lib/jvm/temurin-25-jdk-amd64)
# Absolute: Java 17 takes an archive only for the class path spelt as in the training run.
SERVICE_JAR=$PWD/target/attendance-api.jar

jvm_bin() {
  if [ -n "${JAVA:-}" ]; then echo "$JAVA"; return; fi
  local jdk
  for jdk in "${PREFERRED_JDKS[@]}"; do
    [ -x "$jdk/bin/java" ] && { echo "$jdk/bin/java"; return; }
  done
  command -v java || { echo "no java on PATH (install OpenJDK 17)" >&2; return 1; }
}

# The collector for a java binary. On 25 the serial collector lets its old generation grow to -Xmx before its
# first full collection, G1 does not (docs/PERFORMANCE.md, "RSS on Temurin 25"): after the benchmark's load
# 352 MiB with Serial, 226-240 with G1. On 17 Serial is the smaller one: 204 MiB, G1 251.
jvm_gc() { if [ "$(jvm_major "$1")" -ge 25 ]; then echo -XX:+UseG1GC; else echo -XX:+UseSerialGC; fi; }

# The feature release of a java binary: from its home's release file (no JVM start), else from java -version.
jvm_major() {
  local home v
  home=$(dirname "$(dirname "$(readlink -f "$1")")")
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null)
  [ -n "$v" ] || v=$("$1" -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -1)
  echo "${v:-0}"
}

# aot (Java 25+: -XX:AOTCacheOutput in one training run), cds (13-24: -XX:ArchiveClassesAtExit), or none.
archive_kind() {
  local major; major=$(jvm_major "$1")
  if [ "$major" -ge 25 ]; then echo aot; elif [ "$major" -ge 13 ]; then echo cds; else echo none; fi
}

# One archive per feature release: an archive is only valid for the JVM that wrote it.
archive_path() {
  local java=$1 kind; kind=$(archive_kind "$java")
  [ "$kind" = none ] && return 0
  echo "$PWD/target/attendance-api.java$(jvm_major "$java").$([ "$kind" = aot ] && echo aot || echo jsa)"
}

# Whether the archive was made from the jar as it is now. mvn package rewrites the jar, and the JVM refuses an
# archive whose jar changed anyway (with a warning); leaving the flag out keeps that warning out of the logs.
archive_fresh() {
  local a; a=$(archive_path "$1")
  [ -n "$a" ] && [ -s "$a" ] && [ -f "$SERVICE_JAR" ] && [ "$a" -nt "$SERVICE_JAR" ]
}

# The flags that use the archive, or nothing when there is none (or CLASS_ARCHIVE=off). Both kinds tolerate an
# archive the JVM cannot map (another build of the JVM, other flags): it warns and starts without it. JVM
# warnings go to stderr, since stdout carries the JSON access log.
archive_flags() {
  local java=$1
  [ "${CLASS_ARCHIVE:-on}" = off ] && return 0
  archive_fresh "$java" || return 0
  case $(archive_kind "$java") in
    aot) echo "-XX:AOTCache=$(archive_path "$java") -XX:AOTMode=auto -Xlog:disable -Xlog:all=warning:stderr" ;;
    cds) echo "-XX:SharedArchiveFile=$(archive_path "$java") -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr" ;;
  esac
}

# One line for the logs: which JVM, and which archive it starts with.
jvm_describe() {
  local java=$1 major kind a
  major=$(jvm_major "$java"); kind=$(archive_kind "$java"); a=$(archive_path "$java")
  if [ "${CLASS_ARCHIVE:-on}" = off ]; then a="none (CLASS_ARCHIVE=off)"
  elif archive_fresh "$java"; then a="${a#"$PWD"/}"
  elif [ "$kind" = none ]; then a="none (Java $major has no dynamic archive)"
  else a="none yet (scripts/class-archive.sh makes ${a#"$PWD"/})"; fi
  echo "Java $major at $java; class archive: $a"
}
