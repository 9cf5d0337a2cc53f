#!/usr/bin/env bats
# pause / resume (freezer).

load helpers

counter() {
  cat "$TESTDIR/out/counter" 2>/dev/null || echo 0
}

counter_above() {
  [[ "$(counter)" -gt "$1" ]]
}

# start a container that increments a counter in a host directory
start_counter() {
  mkdir -p "$TESTDIR/out"
  cfg '.mounts += [{"destination":"/out","type":"bind","source":$s,"options":["rbind","rw"]}]' --arg s "$TESTDIR/out"
  set_cgroups_path "$CID"
  set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i > /out/counter.tmp; mv /out/counter.tmp /out/counter; sleep 0.01; done'
  run_detached
  wait_for 10 counter_above 2
}

@test "pause: state paused and the process stops progressing; resume: it continues" {
  start_counter
  run_rt pause "$CID"
  assert_status 0
  assert_eq "$(state_status "$CID")" paused "status after pause"
  if ! cgroup_v2; then
    local fdir
    fdir="$(cgroup_of "$(container_pid "$CID")" freezer)"
    wait_for 10 grep -qx FROZEN "$fdir/freezer.state"
  fi
  local v1 v2
  v1="$(counter)"
  # an observation window, not a synchronisation: the counter runs at ~100/s
  sleep 0.5
  v2="$(counter)"
  assert_eq "$v2" "$v1" "counter while paused"

  run_rt resume "$CID"
  assert_status 0
  assert_eq "$(state_status "$CID")" running "status after resume"
  wait_for 10 counter_above "$v2"
}

@test "pause of a paused container and resume of a running one fail" {
  BATS_SKIP_REASON="crun 1.8 pauses a paused container again" skip_if_kind crun
  start_counter
  rt pause "$CID"
  run_rt pause "$CID"
  assert_failure "second pause"
  rt resume "$CID"
  run_rt resume "$CID"
  assert_failure "resume when running"
}

@test "pause of a stopped container fails" {
  BATS_SKIP_REASON="crun 1.8 pauses a stopped container" skip_if_kind crun
  set_args true
  run_detached
  wait_for 10 status_is "$CID" stopped
  run_rt pause "$CID"
  assert_failure "pause stopped"
}

@test "delete --force of a paused container" {
  start_counter
  local pid
  pid="$(container_pid "$CID")"
  rt pause "$CID"
  run_rt delete --force "$CID"
  assert_status 0
  wait_for 10 pid_gone "$pid"
  run_rt state "$CID"
  assert_failure "state after delete"
  assert_eq "$(cgroup_dirs "$CID")" "" "cgroup dirs"
}

@test "exec into a paused container fails" {
  start_counter
  rt pause "$CID"
  run timeout -k 5 20 "$RUNTIME" --root "$ROOT" exec "$CID" true
  assert_failure "exec while paused"
  [[ "$status" -ne 124 ]] || fail "exec hung on a paused container"
}
