#!/usr/bin/env bash
# Prints the absolute path of a Temporal Java time-skipping test server launcher on stdout
# (one line), nothing else. Progress and errors go to stderr. Lookup order:
#   1. $TEMPORAL_TEST_SERVER (an error if it is set but not an executable file)
#   2. $HELPDESK_CACHE_DIR/temporal-test-server/<version>/temporal-test-server
#      (default cache: ~/.cache/helpdesk)
#   3. fetch the jars with Maven (scripts/test-server/pom.xml) and write that launcher
#
# The launcher is what @temporalio/testing runs as an `existing-path` executable with the
# port as its only argument, and the SDK gives it only ~5 s to answer gRPC. A plain JVM
# start takes ~0.9 s idle and up to ~3 s with both cores busy, so the launcher starts the
# JVM with C1 only, the serial GC, and an AppCDS archive of the server's classes that this
# script records once (a dynamic archive written when a training run exits). That brings
# the start to ~0.3 s idle and ~0.7 s under load. The archive is optional: when it is
# missing, has the wrong size, or does not match the JVM, the launcher starts without it.
#
# Everything is built under a lock and renamed into place, so concurrent callers fetch
# once and an interrupted run never leaves a half-written launcher, jar set or archive.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
pom="$script_dir/test-server/pom.xml"
# The version lives in the pom (property temporal.test.server.version).
TEST_SERVER_VERSION=$(sed -n 's:.*<temporal\.test\.server\.version>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</temporal\.test\.server\.version>.*:\1:p' "$pom" | head -n1)
MAIN_CLASS=io.temporal.testserver.TestServer
# Fast-start JVM flags (measured; see the header). Logging is kept on stderr.
JVM_FLAGS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr)

log() { printf 'ensure-test-server: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

if [[ -n "${TEMPORAL_TEST_SERVER:-}" ]]; then
  if [[ -f "$TEMPORAL_TEST_SERVER" && -x "$TEMPORAL_TEST_SERVER" ]]; then
    readlink -f -- "$TEMPORAL_TEST_SERVER"
    exit 0
  fi
  die "TEMPORAL_TEST_SERVER=$TEMPORAL_TEST_SERVER is not an executable file; point it at a Temporal test server launcher or unset it."
fi

[[ -n "$TEST_SERVER_VERSION" ]] || die "cannot read <temporal.test.server.version> from $pom."

cache_root="${HELPDESK_CACHE_DIR:-$HOME/.cache/helpdesk}"
ver_dir="$cache_root/temporal-test-server/$TEST_SERVER_VERSION"
launcher="$ver_dir/temporal-test-server"
lib="$ver_dir/lib"
jsa="$ver_dir/app-cds.jsa"

if [[ -f "$launcher" && -x "$launcher" ]]; then
  readlink -f -- "$launcher"
  exit 0
fi

# --- prerequisites --------------------------------------------------------------------
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  java_bin="$JAVA_HOME/bin/java"
elif command -v java >/dev/null 2>&1; then
  java_bin=$(command -v java)
else
  die "Java is not installed (the Temporal test server needs Java 11+): apt-get install -y openjdk-17-jre-headless, or set TEMPORAL_TEST_SERVER=/path/to/launcher."
fi
java_bin=$(readlink -f -- "$java_bin") # a stable JVM path: the CDS archive belongs to one JVM
java_major=$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9.]*\).*/\1/p' | head -n1)
java_major=${java_major#1.} # 1.8 -> 8
java_major=${java_major%%.*}
[[ "$java_major" =~ ^[0-9]+$ ]] || die "cannot tell the version of $java_bin."
((java_major >= 11)) || die "$java_bin is Java $java_major; the Temporal test server needs Java 11+ (apt-get install -y openjdk-17-jre-headless)."
command -v mvn >/dev/null 2>&1 || die "Maven is not installed (needed once to fetch the test server jars): apt-get install -y maven, or set TEMPORAL_TEST_SERVER=/path/to/launcher."
command -v flock >/dev/null 2>&1 || die "flock (util-linux) is required; install util-linux."

mkdir -p "$ver_dir"
exec 9>"$ver_dir/.lock"
if ! flock -n 9; then
  log "another process is preparing the test server $TEST_SERVER_VERSION; waiting for it..."
  flock 9
fi
if [[ -f "$launcher" && -x "$launcher" ]]; then
  readlink -f -- "$launcher"
  exit 0
fi

# While we hold the lock, every .build.* directory is ours or left by a killed run.
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$ver_dir"/.build.*
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
rm -rf "$ver_dir"/.build.*
tmp=$(mktemp -d "$ver_dir/.build.XXXXXX")

# --- 1. jars ----------------------------------------------------------------------------
# A lib/ without a launcher is left over from an interrupted run; fetch it again.
log "fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION with Maven (about a minute on a cold ~/.m2)..."
start=$SECONDS
mvn -B -q -f "$pom" dependency:copy-dependencies \
  -Dtemporal.test.server.version="$TEST_SERVER_VERSION" \
  -DincludeScope=runtime -DoutputDirectory="$tmp/lib" 2>&1 \
  | sed -u 's/\x1b\[[0-9;]*m//g' >&2 \
  || die "mvn dependency:copy-dependencies failed (see above); Maven Central must be reachable."
compgen -G "$tmp/lib/temporal-test-server-*.jar" >/dev/null || die "Maven did not produce temporal-test-server-$TEST_SERVER_VERSION.jar."
rm -rf "$lib"
mv "$tmp/lib" "$lib"
log "fetched $(find "$lib" -name '*.jar' | wc -l) jars in $((SECONDS - start)) s"

# --- 2. AppCDS archive (optional) ---------------------------------------------------------
# A training run: start the server with -XX:ArchiveClassesAtExit, wait until it answers,
# stop it with SIGTERM (a normal JVM exit writes the archive), check the archive maps, and
# rename it into place. Its paths must be the final lib/ path, so this runs after the move.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 30000))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  return 1
}
grpc_probe() { # classes for request handling belong in the archive too; best effort
  command -v curl >/dev/null 2>&1 || return 0
  for _ in 1 2 3; do
    printf '\0\0\0\0\0' | curl -fsS --max-time 5 --http2-prior-knowledge -X POST \
      -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @- -o /dev/null \
      "http://127.0.0.1:$1/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo" 2>/dev/null && return 0
    sleep 0.2
  done
  return 0
}
record_cds_archive() {
  ((java_major >= 13)) || { log "Java $java_major cannot record a dynamic CDS archive; the launcher runs without one."; return 1; }
  local port out="$tmp/app-cds.jsa" waited=0
  port=$(pick_port) || { log "no free port for the CDS training run"; return 1; }
  log "recording a class-data-sharing archive for a faster JVM start (training run on port $port)..."
  "$java_bin" "${JVM_FLAGS[@]}" -XX:ArchiveClassesAtExit="$out" -cp "$lib/*" "$MAIN_CLASS" "$port" \
    </dev/null >"$tmp/training.log" 2>&1 &
  server_pid=$!
  until ! port_free "$port"; do
    if ! kill -0 "$server_pid" 2>/dev/null || ((waited >= 600)); then
      log "the training run did not start listening:"; tail -n 20 "$tmp/training.log" >&2; return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  grpc_probe "$port"
  kill -TERM "$server_pid" 2>/dev/null || true
  # The JVM dumps the archive while exiting; give it up to 60 s before giving up.
  waited=0
  while kill -0 "$server_pid" 2>/dev/null && ((waited < 600)); do sleep 0.1; waited=$((waited + 1)); done
  if kill -0 "$server_pid" 2>/dev/null; then
    log "the training run did not exit after SIGTERM"; return 1
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  [[ -s "$out" ]] || { log "the training run wrote no archive:"; tail -n 20 "$tmp/training.log" >&2; return 1; }
  # -Xshare:on fails instead of silently ignoring an archive that does not map or match.
  if ! "$java_bin" "${JVM_FLAGS[@]}" -Xshare:on -XX:SharedArchiveFile="$out" -cp "$lib/*" -version >/dev/null 2>&1; then
    log "the recorded archive does not load; the launcher runs without it."; return 1
  fi
  chmod 0644 "$out"
  mv -f "$out" "$jsa"
}
rm -f "$jsa"
cds_start=$SECONDS
if record_cds_archive; then
  log "recorded $jsa ($(( $(stat -c %s "$jsa") / 1048576 )) MiB) in $((SECONDS - cds_start)) s"
fi

# --- 3. launcher ---------------------------------------------------------------------------
jsa_size=0
[[ -f "$jsa" ]] && jsa_size=$(stat -c %s "$jsa")
{
  printf '#!/usr/bin/env bash\n'
  printf '# Temporal Java test server %s (time-skipping), written by scripts/ensure-test-server.sh.\n' "$TEST_SERVER_VERSION"
  printf '# Usage: %s <port> [--enable-time-skipping]. Delete this directory to rebuild.\n' "${launcher##*/}"
  printf 'java=%q\n' "$java_bin"
  printf 'lib=%q\n' "$lib"
  printf 'jsa=%q\n' "$jsa"
  printf 'jsa_size=%q\n' "$jsa_size"
  printf 'flags=('; printf '%q ' "${JVM_FLAGS[@]}"; printf ')\n'
  cat <<'EOF'
cds=()
if [[ -x "$java" ]]; then
  # The archive belongs to this JVM. A truncated archive can crash JDK 17 while mapping,
  # so it is used only when its size is the recorded one; otherwise -Xshare:auto skips
  # an archive that does not match.
  if [[ "$jsa_size" != 0 && -f "$jsa" && "$(stat -c %s "$jsa" 2>/dev/null)" == "$jsa_size" ]]; then
    cds=(-XX:SharedArchiveFile="$jsa" -Xshare:auto)
  fi
else
  java=java # the JVM moved; use the one on PATH, without the archive
fi
exec "$java" "${flags[@]}" "${cds[@]}" -cp "$lib/*" io.temporal.testserver.TestServer "$@"
EOF
} >"$tmp/launcher"
chmod 0755 "$tmp/launcher"
mv -f "$tmp/launcher" "$launcher"
log "wrote $launcher"
readlink -f -- "$launcher"
