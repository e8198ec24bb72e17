#!/usr/bin/env bash
# Prints the absolute path of a usable Temporal CLI on stdout (one line), nothing else.
# Progress and errors go to stderr. Lookup order:
#   1. $TEMPORAL_CLI (an error if it is set but not an executable file)
#   2. `temporal` on PATH
#   3. $HELPDESK_CACHE_DIR/temporal-cli/<version>/temporal  (default cache: ~/.cache/helpdesk)
#   4. build it there with `go install` (a cold build takes several minutes on 2 cores)
# The build runs under a lock, so concurrent callers build once, and into a temp dir that
# is renamed into place, so an interrupted build never leaves a half-written binary.
set -euo pipefail

TEMPORAL_CLI_VERSION=1.5.1
TEMPORAL_CLI_MODULE=github.com/temporalio/cli/cmd/temporal

log() { printf 'ensure-temporal-cli: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
abspath() { readlink -f -- "$1"; }

if [[ -n "${TEMPORAL_CLI:-}" ]]; then
  if [[ -f "$TEMPORAL_CLI" && -x "$TEMPORAL_CLI" ]]; then
    abspath "$TEMPORAL_CLI"
    exit 0
  fi
  die "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file; point it at a Temporal CLI binary or unset it."
fi

if on_path=$(command -v temporal 2>/dev/null) && [[ -n "$on_path" && -x "$on_path" ]]; then
  abspath "$on_path"
  exit 0
fi

cache_root="${HELPDESK_CACHE_DIR:-$HOME/.cache/helpdesk}"
dest_dir="$cache_root/temporal-cli/$TEMPORAL_CLI_VERSION"
dest="$dest_dir/temporal"

if [[ -f "$dest" && -x "$dest" ]]; then
  abspath "$dest"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  die "Temporal CLI not found and Go is not installed to build it: install the CLI (https://docs.temporal.io/cli#install) and put it on PATH or set TEMPORAL_CLI=/path/to/temporal, or install Go (https://go.dev/dl/) so this script can build v$TEMPORAL_CLI_VERSION."
fi
if ! command -v flock >/dev/null 2>&1 || ! command -v setsid >/dev/null 2>&1; then
  die "flock and setsid (util-linux) are required to build the Temporal CLI safely; install util-linux."
fi

mkdir -p "$dest_dir"
exec 9>"$dest_dir/.lock"
if ! flock -n 9; then
  log "another process is building the Temporal CLI v$TEMPORAL_CLI_VERSION; waiting for it..."
  flock 9
fi

# Someone else may have finished the build while we waited for the lock.
if [[ -f "$dest" && -x "$dest" ]]; then
  abspath "$dest"
  exit 0
fi

# While we hold the lock, every .build.* directory is ours or left by a killed run.
build_pid=""
cleanup() {
  # Stop a running build (its own process group: go and its compilers), then remove its files.
  if [[ -n "$build_pid" ]]; then kill -TERM -- "-$build_pid" 2>/dev/null || true; wait "$build_pid" 2>/dev/null || true; fi
  rm -rf "$dest_dir"/.build.*
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
rm -rf "$dest_dir"/.build.*
tmp=$(mktemp -d "$dest_dir/.build.XXXXXX")

log "building Temporal CLI v$TEMPORAL_CLI_VERSION with $(go version | cut -d' ' -f3) into $dest_dir (takes several minutes on a cold Go cache)..."
start=$SECONDS
# Built like the official release (goreleaser): static (CGO off, so no C toolchain is
# needed), no debug info, and the version stamped in. The build runs in the background in
# its own process group so that a signal to this script stops it at once.
GOBIN="$tmp" CGO_ENABLED=0 setsid go install -trimpath \
  -ldflags="-s -w -X github.com/temporalio/cli/temporalcli.Version=$TEMPORAL_CLI_VERSION" \
  "$TEMPORAL_CLI_MODULE@v$TEMPORAL_CLI_VERSION" >&2 </dev/null &
build_pid=$!
wait "$build_pid" || die "go install $TEMPORAL_CLI_MODULE@v$TEMPORAL_CLI_VERSION failed (see above)."
build_pid=""

"$tmp/temporal" --version >/dev/null 2>&1 || die "the freshly built $tmp/temporal does not run."
chmod 0755 "$tmp/temporal"
mv -f "$tmp/temporal" "$dest" # same directory tree, so this rename is atomic
log "built $("$dest" --version 2>/dev/null | head -n1) in $((SECONDS - start)) s"
abspath "$dest"
