# Shared helpers for the registry end-to-end tests (bats): one berthd per
# file on private roots (with busybox:latest from the host's busybox-static)
# and registries started by the tests on free loopback ports, each with its
# own storage dir. teardown_file stops them all by PID and removes the dir,
# even on failure.
#
# Registries: Debian's docker-registry (the reference) by default;
# REGISTRY_IMPL=berth uses berth-registry (BERTH_REGISTRY, default the build
# tree) when it exists.

DT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$DT_DIR/../containers/helpers.bash"
MKIMAGE="$DT_DIR/../images/mkimage.py"
PY=/usr/bin/python3

# ct_setup_file points DOCKER_CONFIG (which berth's CLI and the docker CLIs
# use for logins) at $CTDIR/dockercfg: no login here touches ~/.docker.
dt_setup_file() {
  ct_setup_file
}

dt_teardown_file() {
  stop_pids_from "$CTDIR/registry.pids" 10 || true
  ct_teardown_file
}

# free_port: a TCP port on 127.0.0.1 nobody listens on now.
free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_registry NAME [HTPASSWD-FILE]: starts docker-registry on a free
# loopback port with storage under $CTDIR/NAME; sets REG (127.0.0.1:PORT).
start_registry() {
  local name="$1" htpasswd="${2:-}" port dir
  require_tool docker-registry "Debian's docker-registry" || return 1
  dir="$CTDIR/$name"
  mkdir -p "$dir/data"
  port="$(free_port)"
  {
    echo "version: 0.1"
    echo "log: {level: warn}"
    echo "storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}"
    echo "http: {addr: 127.0.0.1:$port}"
    [[ -z "$htpasswd" ]] || echo "auth: {htpasswd: {realm: berth-test, path: $htpasswd}}"
  } >"$dir/config.yml"
  docker-registry serve "$dir/config.yml" </dev/null >"$dir/log" 2>&1 3>&- &
  echo $! >>"$CTDIR/registry.pids"
  REG="127.0.0.1:$port"
  wait_for 20 curl -s -o /dev/null "http://$REG/v2/" || { cat "$dir/log" >&2; return 1; }
}

# make_image REF N: an image of N data layers (64 KiB each, distinct),
# loaded into berthd; prints nothing.
make_image() {
  local ref="$1" n="$2" i layers=()
  local safe="${ref//[\/:]/_}"
  for ((i = 0; i < n; i++)); do
    "$PY" "$MKIMAGE" datalayer "$CTDIR/l-$safe-$i.tar" "data$i" 65536 "$ref-$i"
    layers+=("$CTDIR/l-$safe-$i.tar")
  done
  "$PY" "$MKIMAGE" archive "$CTDIR/$safe.tar" --gzip --tag "$ref" "${layers[@]}" >/dev/null
  b load -i "$CTDIR/$safe.tar" >/dev/null
}

# image_id REF
image_id() {
  b inspect --format '{{.Id}}' "$1"
}

BERTH_REGISTRY="${BERTH_REGISTRY:-$REPO_DIR/build/src/berth-registry/berth-registry}"

# start_berth_registry NAME: berth-registry with its root under $CTDIR/NAME
# on a free loopback port; sets REG. Users: reg_cmd NAME user add ...
start_berth_registry() {
  local dir="$CTDIR/$1"
  mkdir -p "$dir/root"
  rm -f "$dir/addr"
  "$BERTH_REGISTRY" --root "$dir/root" --addr 127.0.0.1:0 --addr-file "$dir/addr" \
    </dev/null >>"$dir/log" 2>&1 3>&- &
  echo $! >>"$CTDIR/registry.pids"
  wait_for 20 test -s "$dir/addr" || { cat "$dir/log" >&2; return 1; }
  REG="$(cat "$dir/addr")"
}

# reg_cmd NAME ARGS...: berth-registry management on NAME's root.
reg_cmd() {
  local dir="$CTDIR/$1"
  shift
  "$BERTH_REGISTRY" --root "$dir/root" "$@"
}
