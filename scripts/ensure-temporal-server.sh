#!/usr/bin/env bash
# Prints the absolute paths of a Temporal server and its SQL schema tool on stdout, one per
# line and nothing else:
#   /…/temporal-server
#   /…/temporal-sql-tool
# Next to them lie the files of the same server version that the cluster needs:
#   schema/postgresql/v12/{temporal,visibility}/versioned   (for temporal-sql-tool update-schema)
#   config/development-postgres12.yaml                       (the template src/infra/cluster.ts fills in)
# Progress and errors go to stderr. Lookup order:
#   1. $HELPDESK_CACHE_DIR/temporal-server/<version>/   (default cache: ~/.cache/helpdesk)
#   2. build it there with `go install` from the Go module proxy (a cold build takes about
#      6.5 minutes on 2 cores, seconds with a warm Go build cache)
# The version must equal docker-compose.yml's TEMPORAL_VERSION default
# (tests/deploy/docker-compose.test.ts checks it).
# The build runs under a lock, so concurrent callers build once, and into a temp dir that
# is renamed into place, so an interrupted build never leaves a half-written directory.
set -euo pipefail

TEMPORAL_SERVER_VERSION=1.29.1
TEMPORAL_SERVER_MODULE=go.temporal.io/server

log() { printf 'ensure-temporal-server: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

cache_root="${HELPDESK_CACHE_DIR:-$HOME/.cache/helpdesk}"
base_dir="$cache_root/temporal-server"
dest="$base_dir/$TEMPORAL_SERVER_VERSION"

complete() {
  [[ -x "$1/temporal-server" && -x "$1/temporal-sql-tool" && -f "$1/config/development-postgres12.yaml" \
    && -d "$1/schema/postgresql/v12/temporal/versioned" && -d "$1/schema/postgresql/v12/visibility/versioned" ]]
}
print_paths() {
  printf '%s\n' "$(readlink -f -- "$dest/temporal-server")" "$(readlink -f -- "$dest/temporal-sql-tool")"
}

if complete "$dest"; then
  print_paths
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  die "the Temporal server v$TEMPORAL_SERVER_VERSION is not in $dest and Go is not installed to build it: install Go (https://go.dev/dl/) so this script can build it."
fi
if ! command -v flock >/dev/null 2>&1 || ! command -v setsid >/dev/null 2>&1; then
  die "flock and setsid (util-linux) are required to build the Temporal server safely; install util-linux."
fi

mkdir -p "$base_dir"
exec 9>"$base_dir/.lock-$TEMPORAL_SERVER_VERSION"
if ! flock -n 9; then
  log "another process is building the Temporal server v$TEMPORAL_SERVER_VERSION; waiting for it..."
  flock 9
fi
if complete "$dest"; then
  print_paths
  exit 0
fi

build_pid=""
cleanup() {
  if [[ -n "$build_pid" ]]; then kill -TERM -- "-$build_pid" 2>/dev/null || true; wait "$build_pid" 2>/dev/null || true; fi
  rm -rf "$base_dir"/.build.*
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
rm -rf "$base_dir"/.build.*
tmp=$(mktemp -d "$base_dir/.build.XXXXXX")

log "building the Temporal server and temporal-sql-tool v$TEMPORAL_SERVER_VERSION with $(go version | cut -d' ' -f3) into $dest (about 6.5 minutes on a cold Go cache)..."
start=$SECONDS
# Static (CGO off), no debug info, like the release build. Both binaries in one `go install`
# so they share the compile work. In its own process group so that a signal stops it at once.
GOBIN="$tmp/bin" CGO_ENABLED=0 setsid go install -trimpath -ldflags="-s -w" \
  "$TEMPORAL_SERVER_MODULE/cmd/server@v$TEMPORAL_SERVER_VERSION" \
  "$TEMPORAL_SERVER_MODULE/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION" >&2 </dev/null &
build_pid=$!
wait "$build_pid" || die "go install $TEMPORAL_SERVER_MODULE/cmd/{server,tools/sql}@v$TEMPORAL_SERVER_VERSION failed (see above)."
build_pid=""

mv "$tmp/bin/server" "$tmp/temporal-server"
mv "$tmp/bin/sql" "$tmp/temporal-sql-tool"
rmdir "$tmp/bin"
"$tmp/temporal-sql-tool" --help >/dev/null 2>&1 || die "the freshly built temporal-sql-tool does not run."
"$tmp/temporal-server" --help >/dev/null 2>&1 || die "the freshly built temporal-server does not run."

# The schema files and the config template of the same version, from the module just built.
module_dir=$(GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' "$TEMPORAL_SERVER_MODULE@v$TEMPORAL_SERVER_VERSION" 2>/dev/null || true)
if [[ -z "$module_dir" || ! -d "$module_dir" ]]; then
  module_dir="$(go env GOMODCACHE)/$TEMPORAL_SERVER_MODULE@v$TEMPORAL_SERVER_VERSION"
fi
[[ -d "$module_dir/schema/postgresql/v12" ]] || die "the module source is not at $module_dir (no schema/postgresql/v12)."
mkdir -p "$tmp/schema/postgresql" "$tmp/config"
cp -R "$module_dir/schema/postgresql/v12" "$tmp/schema/postgresql/"
cp "$module_dir/config/development-postgres12.yaml" "$tmp/config/"
chmod -R u+w "$tmp"
chmod 0755 "$tmp"
printf '%s\n' "$TEMPORAL_SERVER_VERSION" >"$tmp/VERSION"

rm -rf "$dest"
mv "$tmp" "$dest" # same directory tree, so this rename is atomic
log "built the Temporal server v$TEMPORAL_SERVER_VERSION in $((SECONDS - start)) s"
print_paths
