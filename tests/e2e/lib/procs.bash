# Stopping what a test started, always by PID (never by name). Sourced by
# assert.bash (it needs wait_for and pid_alive).

# stop_pid PID [SECONDS]: SIGTERM, waits up to SECONDS (default 20) for the
# exit, then SIGKILL; status 1 when it had to SIGKILL. Reaps PID when it is a
# child of this shell.
stop_pid() {
  local pid="$1" secs="${2:-20}"
  [[ -n "$pid" ]] || return 0
  pid_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_for "$secs" pid_gone "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_for 5 pid_gone "$pid" || true
    wait "$pid" 2>/dev/null || true
    return 1
  fi
  wait "$pid" 2>/dev/null || true
}

# stop_pids_from FILE [SECONDS]: stop_pid for every PID listed in FILE (one
# or more a line), in order; status 1 when any needed SIGKILL. No FILE: 0.
stop_pids_from() {
  local file="$1" secs="${2:-20}" p rc=0
  [[ -f "$file" ]] || return 0
  for p in $(cat "$file"); do
    stop_pid "$p" "$secs" || rc=1
  done
  return $rc
}

# stop_dockerd_tree PID: a dockerd a test started and the containerd it
# started in turn (its children, found before the TERM): dockerd gets
# SIGTERM (SIGKILL after 30 s), then its children have 20 s to exit before
# SIGKILL. Status 1 when anything needed SIGKILL. A second call is a no-op.
stop_dockerd_tree() {
  local pid="$1" children c rc=0
  [[ -n "$pid" ]] || return 0
  children="$(pgrep -P "$pid" 2>/dev/null || true)"
  stop_pid "$pid" 30 || rc=1
  for c in $children; do
    if ! wait_for 20 pid_gone "$c"; then
      kill -KILL "$c" 2>/dev/null || true
      rc=1
    fi
  done
  return $rc
}
