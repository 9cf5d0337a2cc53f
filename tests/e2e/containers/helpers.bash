# Shared helpers for the container end-to-end tests (bats).
#
# One berthd per file (setup_file), on private roots under a per-file dir,
# with busybox:latest made from the host's busybox-static. Each test starts
# clean: teardown removes every container the test left. teardown_file
# stops berthd, kills what is left of the containers (monitors survive
# berthd by design), unmounts and removes the dir, even on failure.
#
# Binaries: BERTHD, BERTH (ctest sets them), default the build/ tree.

CT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$CT_DIR/../lib/assert.bash"
source "$CT_DIR/../lib/berth_cli.bash"
source "$CT_DIR/../lib/net.bash"
REPO_DIR="$(cd "$CT_DIR/../../.." && pwd)"
SCRIPTS_DIR="${BERTH_SCRIPTS_DIR:-$REPO_DIR/scripts}"
BERTHD="${BERTHD:-$REPO_DIR/build/src/berthd/berthd}"
BERTH="${BERTH:-$REPO_DIR/build/src/berth/berth}"
export BERTHD BERTH

ct_setup_file() {
  export CTDIR="$(mktemp -d /tmp/berth-ct-XXXXXX)"
  chmod 0755 "$CTDIR"
  export DATA="$CTDIR/data" EXEC="$CTDIR/exec"
  export SOCK="$EXEC/berth.sock"
  export HOST="unix://$SOCK"
  unset BERTH_HOST DOCKER_HOST
  # The docker CLIs and berth's own CLI (BERTH_CONFIG, else DOCKER_CONFIG)
  # keep their config and logins here, never in the real ~/.docker.
  unset BERTH_CONFIG
  export DOCKER_CONFIG="$CTDIR/dockercfg"
  mkdir -p "$DOCKER_CONFIG"
  net_setup "$CTDIR"
  start_berthd
  "$SCRIPTS_DIR/make-busybox-image" --host "$HOST" --berth "$BERTH" busybox:latest >&2 ||
    { echo "make-busybox-image failed" >&2; return 1; }
}

# Every step runs even when one before it fails: nothing may be left.
ct_teardown_file() {
  [[ -n "${CTDIR:-}" && -d "$CTDIR" ]] || return 0
  stop_berthd || true
  # Daemons a test started again (live restore) ran in the test's own shell:
  # their PIDs are in the file.
  stop_pids_from "$CTDIR/berthd.pids" || true
  kill_containers || true
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$CTDIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  net_teardown "$CTDIR" || true
  rm -rf "$CTDIR"
}

# Removes every container of this file's daemon (between tests).
ct_teardown() {
  local ids
  ids="$("$BERTH" -H "$HOST" ps -aq 2>/dev/null)" || true
  [[ -z "$ids" ]] || "$BERTH" -H "$HOST" rm -f $ids >/dev/null 2>&1 || true
}

# kill_containers: SIGKILL to every monitor and container init under this
# file's exec root (by the PIDs they recorded), then the runtime state.
kill_containers() {
  local f p
  for f in "$EXEC"/containers/*/monitor.pid "$EXEC"/containers/*/exec/*/monitor.pid; do
    [[ -f "$f" ]] || continue
    p="$(cat "$f")"
    [[ -n "$p" ]] && kill -KILL "$p" 2>/dev/null || true
  done
  local st
  for st in "$EXEC"/runtime/*/state.json; do
    [[ -f "$st" ]] || continue
    p="$(jq -r .pid "$st" 2>/dev/null)"
    [[ -n "$p" && "$p" != 0 && "$p" != null ]] && kill -KILL "$p" 2>/dev/null || true
  done
  local rt="${BERTH_RUNTIME:-$REPO_DIR/build/src/runtime-cli/berth-runtime}"
  if [[ -x "$rt" ]]; then
    for st in "$EXEC"/runtime/*/state.json; do
      [[ -f "$st" ]] || continue
      "$rt" --root "$EXEC/runtime" delete --force "$(basename "$(dirname "$st")")" 2>/dev/null || true
    done
  fi
}

start_berthd() {
  mkdir -p "$DATA" "$EXEC"
  net_setup "$CTDIR"
  # shellcheck disable=SC2086 # the flags are words
  "$BERTHD" --data-root "$DATA" --exec-root "$EXEC" -H "$HOST" $BERTHD_NET_FLAGS \
    --discovery-addr "${BERTHD_DISCOVERY_ADDR:-127.0.0.1:0}" "$@" \
    </dev/null >>"$CTDIR/berthd.log" 2>&1 3>&- &
  export BERTHD_PID=$!
  echo "$BERTHD_PID" >>"$CTDIR/berthd.pids"
  local deadline=$((SECONDS + 20))
  until [[ "$(curl -s --max-time 2 --unix-socket "$SOCK" http://d/_ping 2>/dev/null)" == OK ]]; do
    kill -0 "$BERTHD_PID" 2>/dev/null || { cat "$CTDIR/berthd.log" >&2; return 1; }
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

stop_berthd() {
  [[ -n "${BERTHD_PID:-}" ]] || return 0
  stop_pid "$BERTHD_PID" || true
  BERTHD_PID=""
}

# state NAME: the container's State.Status.
state() {
  b inspect --format '{{.State.Status}}' "$1"
}

# wait_state NAME STATUS [SECONDS]
wait_state() {
  local deadline=$((SECONDS + ${3:-20}))
  until [[ "$(state "$1" 2>/dev/null)" == "$2" ]]; do
    ((SECONDS < deadline)) || { echo "container $1 not $2 after ${3:-20} s (is $(state "$1"))" >&2; return 1; }
    sleep 0.05
  done
}

# wait_log NAME TEXT [SECONDS]: polls `logs` until TEXT shows.
wait_log() {
  local deadline=$((SECONDS + ${3:-20}))
  until b logs "$1" 2>&1 | grep -qF -- "$2"; do
    ((SECONDS < deadline)) || { echo "no '$2' in logs of $1" >&2; return 1; }
    sleep 0.05
  done
}
