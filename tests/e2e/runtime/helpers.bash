# Shared helpers for the OCI runtime end-to-end tests (bats).
#
# RUNTIME selects the runtime under test: a path, or a name on PATH
# (`RUNTIME=runc bats tests/e2e/runtime`). Default: $BERTH_RUNTIME, else the
# berth-runtime in the repository's build dir.
#
# Every test gets, from setup():
#   TESTDIR   a private dir under /run (0755, so user-namespaced containers
#             can traverse it), removed by teardown
#   ROOT      the runtime's --root (state dir), inside TESTDIR
#   BUNDLE    a fresh busybox bundle (config.json from `$RUNTIME spec`)
#   CID       a unique container id; new_cid makes more
# teardown() deletes every container id handed out (delete --force),
# unmounts whatever is left under TESTDIR and removes it.

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$E2E_DIR/../lib/assert.bash"
REPO_DIR="$(cd "$E2E_DIR/../../.." && pwd)"
SCRIPTS_DIR="${BERTH_SCRIPTS_DIR:-$REPO_DIR/scripts}"

_resolve_runtime() {
  local r="${RUNTIME:-${BERTH_RUNTIME:-$REPO_DIR/build/src/runtime-cli/berth-runtime}}"
  if [[ "$r" != */* ]]; then
    r="$(command -v "$r")" || { echo "runtime ${RUNTIME} not on PATH" >&2; return 1; }
  fi
  echo "$r"
}
RUNTIME="$(_resolve_runtime)"
export RUNTIME
RUNTIME_NAME="$(basename "$RUNTIME")"
case "$RUNTIME_NAME" in
  runc*) RUNTIME_KIND=runc ;;
  crun*) RUNTIME_KIND=crun ;;
  *) RUNTIME_KIND=berth ;;
esac

# A pristine bundle made once per test file and copied per test.
_pristine_bundle() {
  local p="$BATS_FILE_TMPDIR/pristine-bundle"
  if [[ ! -f "$p/config.json" ]]; then
    "$SCRIPTS_DIR/make-busybox-bundle" "$p" --runtime "$RUNTIME" >&2
  fi
  echo "$p"
}

setup() {
  TESTDIR="$(mktemp -d /run/berth-test-XXXXXX)"
  chmod 0755 "$TESTDIR"
  ROOT="$TESTDIR/state"
  BUNDLE="$TESTDIR/bundle"
  _CIDS=()
  _DEFERRED=()
  new_cid
  cp -a "$(_pristine_bundle)" "$BUNDLE"
  MOUNTS_BEFORE="$(mount_lines)"
  # create/run find config.json in the current directory, as with runc.
  cd "$BUNDLE"
}

teardown() {
  cd /
  local i
  for ((i = ${#_DEFERRED[@]} - 1; i >= 0; i--)); do
    eval "${_DEFERRED[i]}" >/dev/null 2>&1 || true
  done
  local id
  for id in "${_CIDS[@]}"; do
    "$RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
  done
  kill_bundle_processes
  for id in "${_CIDS[@]}"; do
    remove_test_cgroups "$id"
  done
  # Unmount anything left below TESTDIR (deepest first), then remove it.
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$TESTDIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  rm -rf "$TESTDIR"
}

# defer SHELL-COMMAND: run by teardown (last deferred first), even on failure.
# Runs before the containers are deleted.
defer() {
  _DEFERRED+=("$1")
}

# new_cid: sets CID to a fresh unique container id and records it for
# teardown.
new_cid() {
  CID="e2e-$$-${BATS_TEST_NUMBER:-0}-$RANDOM"
  _CIDS+=("$CID")
}

# rt ARGS...: the runtime with this test's --root (no bats `run`).
rt() {
  "$RUNTIME" --root "$ROOT" "$@"
}

# run_rt ARGS...: bats `run` of the runtime; sets $status and $output.
# A runtime that hangs is killed after E2E_TIMEOUT seconds (default 60): the
# test fails (status 124 or 137) instead of hanging the suite.
run_rt() {
  run timeout -k 5 "${E2E_TIMEOUT:-60}" "$RUNTIME" --root "$ROOT" "$@"
  echo "# $RUNTIME_NAME $* -> status $status" >&2
  [[ -z "$output" ]] || printf '%s\n' "$output" | sed 's/^/#   /' >&2
}

# cfg JQ-FILTER [jq args...]: edits $BUNDLE/config.json in place.
cfg() {
  local f="$1"
  shift
  jq "$f" "$@" <"$BUNDLE/config.json" >"$BUNDLE/config.json.new"
  mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# set_args ARG...: process.args of the bundle.
set_args() {
  cfg '.process.args = $a' --argjson a "$(json_array "$@")"
}

# json_array WORD...: prints the words as a JSON array of strings.
json_array() {
  /usr/bin/python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"
}

# cgroup_path_for ID: sets an explicit cgroupsPath so residue can be checked.
set_cgroups_path() {
  cfg '.linux.cgroupsPath = $p' --arg p "/$1"
}


# state_status ID: prints .status of `state ID`.
state_status() {
  rt state "$1" 2>/dev/null | jq -r .status
}

# status_is ID STATUS: true when `state ID` says STATUS.
status_is() {
  [[ "$(state_status "$1")" == "$2" ]]
}

# container_pid ID
container_pid() {
  rt state "$1" | jq -r .pid
}

# assertions -----------------------------------------------------------------

# residue ----------------------------------------------------------------------

# mount_lines: mount points in this mount namespace, sorted.
mount_lines() {
  awk '{print $5}' /proc/self/mountinfo | sort
}

# bundle_processes: pids of processes whose root or cwd is inside TESTDIR,
# whose command line names one of this test's container ids, or that sit in
# a cgroup named after one (containers after pivot_root show root "/").
bundle_processes() {
  /usr/bin/python3 - "$TESTDIR" "$$" "${_CIDS[@]}" <<'PY'
import os, sys
testdir, me, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
for pid in os.listdir("/proc"):
    if not pid.isdigit() or pid == me or int(pid) == os.getpid():
        continue
    try:
        root = os.readlink(f"/proc/{pid}/root")
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = ""
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().decode(errors="replace").split("\0")
        with open(f"/proc/{pid}/cgroup") as f:
            cgroups = [l.rstrip("\n").split(":", 2)[-1] for l in f]
    except OSError:
        continue
    if root.startswith(testdir) or cwd.startswith(testdir + "/bundle/rootfs"):
        print(pid)
    elif any(i in argv for i in ids):
        print(pid)
    elif any(c.endswith("/" + i) or ("/" + i + "/") in c for c in cgroups for i in ids):
        print(pid)
PY
}

# kill_bundle_processes: SIGKILL what this test left running (its own
# containers' processes only).
kill_bundle_processes() {
  local p
  for p in $(bundle_processes); do
    kill -KILL "$p" 2>/dev/null || true
  done
}

# cgroup_dirs ID: existing cgroup dirs named ID, at any depth up to 4 below a
# v1 controller or the v2 root (a runtime may nest under the caller's cgroup).
cgroup_dirs() {
  find /sys/fs/cgroup -maxdepth 5 -type d -name "$1" 2>/dev/null | sort -r
  return 0
}

remove_test_cgroups() {
  local d
  for d in $(cgroup_dirs "$1"); do
    rmdir "$d" 2>/dev/null || true
  done
}

# assert_no_residue ID: no state under ROOT, no cgroup dir, no new mount, no
# process left over by a failed create/run.
assert_no_residue() {
  local id="$1"
  if [[ -d "$ROOT" ]]; then
    local left
    left="$(ls -A "$ROOT")"
    [[ -z "$left" ]] || fail "state left under --root: $left"
  fi
  local cg
  cg="$(cgroup_dirs "$id")"
  [[ -z "$cg" ]] || fail "cgroup dirs left: $cg"
  local now
  now="$(mount_lines)"
  local new
  new="$(comm -13 <(echo "$MOUNTS_BEFORE") <(echo "$now") | grep -F -e "$TESTDIR" -e "$id" || true)"
  [[ -z "$new" ]] || fail "mounts left: $new"
  local procs
  procs="$(bundle_processes)"
  [[ -z "$procs" ]] || fail "processes left: $(for p in $procs; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done)"
}

# assert_one_line_error WORD: $output has a line mentioning WORD
# (case-insensitive).
assert_error_mentions() {
  grep -qi -- "$1" <<<"$output" || fail "error output does not mention '$1': $output"
}

# skip_unless_kind KIND...: skip unless RUNTIME_KIND is one of them.
skip_if_kind() {
  local k
  for k in "$@"; do
    if [[ "$RUNTIME_KIND" == "$k" ]]; then
      skip "${BATS_SKIP_REASON:-not supported by $RUNTIME_NAME}"
    fi
  done
}

# create_ctr [ID] [extra create args...]: `create` with stdio to a log file
# (a container holding bats' pipes would hang `run`). ID defaults to CID.
create_ctr() {
  local id="${1:-$CID}"
  shift || true
  rt create "$@" "$id" </dev/null >"$TESTDIR/$id.log" 2>&1 \
    || fail "create $id failed: $(cat "$TESTDIR/$id.log")"
}

# run_detached [ID] [extra run args...]: `run --detach` with stdio to a file.
run_detached() {
  local id="${1:-$CID}"
  shift || true
  rt run --detach "$@" "$id" </dev/null >"$TESTDIR/$id.log" 2>&1 \
    || fail "run --detach $id failed: $(cat "$TESTDIR/$id.log")"
}

# ctr_log [ID]: what the container wrote to its stdio.
ctr_log() {
  cat "$TESTDIR/${1:-$CID}.log"
}


# cgroup_of PID CONTROLLER: host path of PID's cgroup dir for a v1
# controller (or the v2 unified dir when CONTROLLER is "").
cgroup_of() {
  local pid="$1" ctl="$2" line rel
  if [[ -n "$ctl" ]] && grep -q "^[0-9]*:[^:]*\b$ctl\b[^:]*:" "/proc/$pid/cgroup"; then
    line="$(grep "^[0-9]*:[^:]*\b$ctl\b[^:]*:" "/proc/$pid/cgroup" | head -1)"
    rel="${line#*:*:}"
    echo "/sys/fs/cgroup/$ctl$rel"
  else
    line="$(grep '^0::' "/proc/$pid/cgroup")"
    rel="${line#0::}"
    if [[ -d /sys/fs/cgroup/unified ]]; then
      echo "/sys/fs/cgroup/unified$rel"
    else
      echo "/sys/fs/cgroup$rel"
    fi
  fi
}

# cgroup_v2: true on a pure cgroup v2 host.
cgroup_v2() {
  [[ -f /sys/fs/cgroup/cgroup.controllers ]]
}
