# Shared helpers for the berthd / berth CLI / image store end-to-end tests
# (bats), in the style of tests/e2e/runtime/helpers.bash.
#
# Binaries: BERTHD and BERTH (paths), default the repository's build/. ctest
# sets both to the targets it built.
#
# Every test gets, from setup():
#   TESTDIR   a private dir under /tmp (0755: a non-root test user must reach
#             the socket), removed by teardown
#   DATA EXEC the daemon's --data-root and --exec-root, inside TESTDIR
#   SOCK HOST the daemon's unix socket and "unix://$SOCK"
# No daemon is running until the test calls start_berthd. teardown() runs the
# deferred commands, stops every berthd and dockerd the test started (by PID,
# TERM then KILL), unmounts what is left under TESTDIR and removes it, even
# when the test failed.

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$E2E_DIR/../lib/assert.bash"
source "$E2E_DIR/../lib/berth_cli.bash"
REPO_DIR="$(cd "$E2E_DIR/../../.." && pwd)"
SCRIPTS_DIR="${BERTH_SCRIPTS_DIR:-$REPO_DIR/scripts}"
BERTHD="${BERTHD:-$REPO_DIR/build/src/berthd/berthd}"
BERTH="${BERTH:-$REPO_DIR/build/src/berth/berth}"
PY=/usr/bin/python3
MKIMAGE="$E2E_DIR/mkimage.py"
export BERTHD BERTH

setup() {
  TESTDIR="$(mktemp -d /tmp/berth-img-XXXXXX)"
  chmod 0755 "$TESTDIR"
  DATA="$TESTDIR/data"
  EXEC="$TESTDIR/exec"
  SOCK="$EXEC/berth.sock"
  HOST="unix://$SOCK"
  _DEFERRED=()
  _DAEMON_PIDS=()
  BERTHD_PID=""
  unset BERTH_HOST DOCKER_HOST BERTH_CONFIG
  # The CLIs' config and logins stay in the test's dir, never in ~/.docker.
  export DOCKER_CONFIG="$TESTDIR/dockercfg"
  cd "$TESTDIR"
}

teardown() {
  cd /
  local i
  for ((i = ${#_DEFERRED[@]} - 1; i >= 0; i--)); do
    eval "${_DEFERRED[i]}" >/dev/null 2>&1 || true
  done
  local p
  for p in "${_DAEMON_PIDS[@]}"; do
    stop_pid "$p" >/dev/null 2>&1 || true
  done
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$TESTDIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  rm -rf "$TESTDIR"
}

# defer SHELL-COMMAND: run by teardown (last deferred first), even on failure.
defer() {
  _DEFERRED+=("$1")
}

# daemons ----------------------------------------------------------------------

# start_berthd [extra berthd args...]: starts berthd on this test's roots and
# socket (log in $TESTDIR/berthd.log), sets BERTHD_PID, waits for /_ping.
start_berthd() {
  mkdir -p "$DATA" "$EXEC"
  # No bridge network: these suites need none, and a default berth0 would
  # be shared with daemons of other suites running at the same time.
  "$BERTHD" --data-root "$DATA" --exec-root "$EXEC" -H "$HOST" --bridge=none \
    --discovery-addr "${BERTHD_DISCOVERY_ADDR:-127.0.0.1:0}" "$@" \
    </dev/null >>"$TESTDIR/berthd.log" 2>&1 3>&- &
  BERTHD_PID=$!
  _DAEMON_PIDS+=("$BERTHD_PID")
  wait_for_ping "$SOCK" "$BERTHD_PID" 20 \
    || fail "berthd did not answer /_ping: $(cat "$TESTDIR/berthd.log")"
}

# stop_berthd: SIGTERM, waits for the exit; fails if it has to SIGKILL.
stop_berthd() {
  [[ -n "$BERTHD_PID" ]] || return 0
  stop_pid "$BERTHD_PID"
  local rc=$?
  BERTHD_PID=""
  return $rc
}

# stop_pid PID: ../lib/procs.bash.

# ping SOCKET: true when /_ping answers OK.
ping() {
  [[ "$(curl -s --max-time 2 --unix-socket "$1" http://d/_ping 2>/dev/null)" == OK ]]
}

# wait_for_ping SOCKET PID SECONDS: polls /_ping; gives up early if PID died.
wait_for_ping() {
  local sock="$1" pid="$2" deadline=$((SECONDS + $3))
  until ping "$sock"; do
    pid_alive "$pid" || { echo "daemon $pid exited" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "no /_ping on $sock after $3 s" >&2; return 1; }
    sleep 0.05
  done
}

# start_dockerd: the real dockerd (Debian docker.io) with its own roots under
# $TESTDIR/docker, its own containerd, no bridge or iptables. Sets DSOCK,
# DHOST, DOCKERD_PID. Stopped by teardown; its mounts are checked there too.
start_dockerd() {
  require_tool dockerd "Debian's docker.io" || return 1
  local d="$TESTDIR/docker"
  mkdir -p "$d"
  DSOCK="$d/docker.sock"
  DHOST="unix://$DSOCK"
  dockerd --data-root "$d/data" --exec-root "$d/exec" -H "$DHOST" \
    --pidfile "$d/dockerd.pid" --bridge=none --iptables=false --ip6tables=false \
    --ip-masq=false --userland-proxy=false --log-level=warn \
    </dev/null >>"$TESTDIR/dockerd.log" 2>&1 3>&- &
  DOCKERD_PID=$!
  _DAEMON_PIDS+=("$DOCKERD_PID")
  defer "assert_dockerd_gone"
  wait_for_ping "$DSOCK" "$DOCKERD_PID" 60 \
    || fail "dockerd did not start: $(tail -20 "$TESTDIR/dockerd.log")"
}

# assert_dockerd_gone (teardown): dockerd and the containerd it started are
# stopped, and no overlay mount is left under its data root.
assert_dockerd_gone() {
  stop_dockerd_tree "$DOCKERD_PID"
}

# docker_d ARGS...: Debian's docker CLI (20.10) against the reference dockerd
# (a function: for bats `run` use `run_cmd /usr/bin/docker -H "$DHOST" ...`).
docker_d() {
  /usr/bin/docker -H "$DHOST" "$@"
}

# images ------------------------------------------------------------------------

# busybox_tar: a rootfs tar of the host's busybox-static, made once per file.
busybox_tar() {
  local t="$BATS_FILE_TMPDIR/busybox-rootfs.tar"
  if [[ ! -s "$t" ]]; then
    rm -rf "$BATS_FILE_TMPDIR/bbroot"
    "$SCRIPTS_DIR/busybox-rootfs" "$BATS_FILE_TMPDIR/bbroot" >&2
    tar -C "$BATS_FILE_TMPDIR/bbroot" --sort=name --numeric-owner --owner=0 --group=0 \
      --mtime=@0 -cf "$t.new" . && mv "$t.new" "$t"
  fi
  echo "$t"
}

# make_busybox [NAME:TAG]: busybox:latest (or NAME:TAG) in this test's daemon,
# through scripts/make-busybox-image. Sets BUSYBOX_ID.
make_busybox() {
  "$SCRIPTS_DIR/make-busybox-image" --host "$HOST" --berth "$BERTH" "${1:-busybox:latest}" >&2 \
    || fail "make-busybox-image failed"
  BUSYBOX_ID="$(b image inspect --format '{{.Id}}' "${1:-busybox:latest}")"
}

# small_layer OUT.tar TEXT: a one-file layer (hello.txt = TEXT).
small_layer() {
  "$PY" "$MKIMAGE" layer "$1" "hello.txt=@$2"
}

# archive OUT.tar ARGS...: mkimage.py archive; prints the image ID.
archive() {
  "$PY" "$MKIMAGE" archive "$@"
}

# image_ids: the full IDs the daemon lists (all images), sorted.
image_ids() {
  b images -a -q --no-trunc | sort -u
}

# store_snapshot: the image store's files (blobs, layer dirs), one per line,
# for before/after comparisons. Scratch dirs are listed by content.
store_snapshot() {
  local root="$DATA/image"
  [[ -d "$root" ]] || return 0
  (cd "$root" && find content/blobs layers tmp content/ingest -mindepth 1 -maxdepth 2 2>/dev/null | sort)
}

# assertions --------------------------------------------------------------------

# assert_output_has TEXT: $output contains TEXT (fixed string).
assert_output_has() {
  grep -qF -- "$1" <<<"$output" || fail "output does not contain '$1': $output"
}

assert_error_mentions() {
  grep -qi -- "$1" <<<"$output" || fail "error output does not mention '$1': $output"
}

# assert_lines N: $output has N lines.
assert_lines() {
  local n
  n="$(grep -c '' <<<"$output" || true)"
  [[ -n "$output" ]] || n=0
  [[ "$n" -eq "$1" ]] || fail "expected $1 lines, got $n: $output"
}

# polling ----------------------------------------------------------------------


