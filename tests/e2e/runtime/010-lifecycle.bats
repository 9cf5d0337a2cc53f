#!/usr/bin/env bats
# Lifecycle: create, start, state, list, ps, kill, delete, run --detach.

load helpers

@test "create -> created with a pid; start -> running; kill -> stopped; delete -> gone" {
  set_args sleep 1000
  create_ctr "$CID" --pid-file "$TESTDIR/pid"
  run_rt state "$CID"
  assert_status 0
  local st="$output"
  jq -e . <<<"$st" >/dev/null || fail "state is not JSON: $st"
  assert_eq "$(jq -r .status <<<"$st")" created "status after create"
  assert_eq "$(jq -r .id <<<"$st")" "$CID" "id"
  assert_eq "$(jq -r .bundle <<<"$st")" "$BUNDLE" "bundle"
  assert_match "$(jq -r .ociVersion <<<"$st")" '^1\.' "ociVersion"
  local pid
  pid="$(jq -r .pid <<<"$st")"
  assert_match "$pid" '^[1-9][0-9]*$' "pid"
  pid_alive "$pid" || fail "pid $pid from state is not alive"
  assert_eq "$(cat "$TESTDIR/pid")" "$pid" "--pid-file content"
  # created: the user process has not run yet (no sleep in the container)
  assert_no_match "$(tr '\0' ' ' </proc/$pid/cmdline)" '^sleep' "created process cmdline"

  run_rt start "$CID"
  assert_status 0
  wait_for 10 status_is "$CID" running
  assert_eq "$(container_pid "$CID")" "$pid" "pid after start"
  wait_for 10 grep -q '^sleep' "/proc/$pid/cmdline"

  run_rt kill "$CID" KILL
  assert_status 0
  wait_for 10 status_is "$CID" stopped
  wait_for 10 pid_gone "$pid"

  run_rt delete "$CID"
  assert_status 0
  run_rt state "$CID"
  assert_failure "state after delete"
  [[ ! -e "$ROOT/$CID" ]] || fail "state dir $ROOT/$CID left after delete"
}

@test "start twice fails; delete of a running container without --force fails" {
  set_args sleep 1000
  create_ctr
  rt start "$CID"
  wait_for 10 status_is "$CID" running
  run_rt start "$CID"
  assert_failure "second start"
  run_rt delete "$CID"
  assert_failure "delete of a running container"
  status_is "$CID" running || fail "container no longer running after a refused delete"
}

@test "list shows containers with their status; --format json" {
  set_args sleep 1000
  create_ctr
  local first="$CID"
  new_cid
  run_detached "$CID"
  wait_for 10 status_is "$CID" running
  run_rt list
  assert_status 0
  assert_match "$(head -1 <<<"$output")" '^(ID|NAME) +PID +STATUS' "list header"
  assert_match "$output" "$first +[0-9]+ +created" "created container in list"
  assert_match "$output" "$CID +[0-9]+ +running" "running container in list"
  run_rt list --format json
  assert_status 0
  assert_eq "$(jq -r --arg id "$first" '.[] | select(.id == $id) | .status' <<<"$output")" created "json status"
  assert_eq "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .status' <<<"$output")" running "json status"
  run_rt list -q
  assert_status 0
  assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "$(printf '%s\n' "$first" "$CID" | sort | tr '\n' ' ')" "list -q"
}

@test "list on an empty root prints only the header" {
  run_rt list
  assert_status 0
  assert_match "$output" '^(ID|NAME) +PID +STATUS' "header"
  assert_eq "$(wc -l <<<"$output")" 1 "lines"
}

@test "run --detach returns while the container runs; output goes to its stdio" {
  set_args sh -c 'echo started; exec sleep 1000'
  run_detached
  status_is "$CID" running || fail "not running after run --detach"
  wait_for 10 grep -q started "$TESTDIR/$CID.log"
}

@test "run --detach --pid-file writes the container's pid" {
  set_args sleep 1000
  run_detached "$CID" --pid-file "$TESTDIR/pid"
  assert_eq "$(cat "$TESTDIR/pid")" "$(container_pid "$CID")" "pid file"
}

@test "container that exits by itself goes to stopped and can be deleted" {
  set_args sh -c 'exit 0'
  run_detached
  wait_for 10 status_is "$CID" stopped
  run_rt delete "$CID"
  assert_status 0
  [[ ! -e "$ROOT/$CID" ]] || fail "state dir left"
}

@test "delete --force removes a running container and its processes" {
  set_args sleep 1000
  run_detached
  local pid
  pid="$(container_pid "$CID")"
  run_rt delete --force "$CID"
  assert_status 0
  wait_for 10 pid_gone "$pid"
  run_rt state "$CID"
  assert_failure "state after delete --force"
  assert_no_residue "$CID"
}

@test "delete --force removes a created (not started) container" {
  set_args sleep 1000
  create_ctr
  local pid
  pid="$(container_pid "$CID")"
  run_rt delete --force "$CID"
  assert_status 0
  wait_for 10 pid_gone "$pid"
  assert_no_residue "$CID"
}

@test "delete of an unknown id fails; delete --force of an unknown id succeeds" {
  run_rt delete "no-such-$CID"
  assert_failure "delete unknown"
  assert_error_mentions "no-such-$CID\|not exist\|not found"
  run_rt delete --force "no-such-$CID"
  assert_status 0
}

@test "kill by name, SIG-name and number" {
  local sig
  for sig in KILL SIGKILL 9; do
    set_args sleep 1000
    run_detached
    run_rt kill "$CID" "$sig"
    assert_status 0
    wait_for 10 status_is "$CID" stopped
    rt delete "$CID"
    new_cid
  done
}

@test "kill with the default signal (TERM) stops a process with a TERM handler" {
  set_args sh -c 'trap "exit 0" TERM; echo ready; while :; do sleep 0.05; done'
  run_detached
  # PID 1 ignores TERM until its handler is installed
  wait_for 10 grep -q ready "$TESTDIR/$CID.log"
  run_rt kill "$CID"
  assert_status 0
  wait_for 10 status_is "$CID" stopped
}

@test "kill --all signals every process of the container" {
  set_args sh -c 'sleep 1000 & sleep 1000 & exec sleep 1000'
  run_detached
  wait_for 10 test "$(rt ps --format json "$CID" | jq length)" -ge 3
  local pids
  pids="$(rt ps --format json "$CID" | jq -r '.[]')"
  run_rt kill --all "$CID" KILL
  assert_status 0
  wait_for 10 status_is "$CID" stopped
  local p
  for p in $pids; do
    wait_for 10 pid_gone "$p"
  done
}

@test "kill of a stopped container fails" {
  set_args true
  run_detached
  wait_for 10 status_is "$CID" stopped
  run_rt kill "$CID" KILL
  assert_failure "kill stopped container"
}

@test "kill with an unknown signal fails" {
  BATS_SKIP_REASON="crun 1.8 accepts unknown signal names" skip_if_kind crun
  set_args sleep 1000
  run_detached
  run_rt kill "$CID" NOSUCHSIG
  assert_failure "kill NOSUCHSIG"
  status_is "$CID" running || fail "container died"
}

@test "ps lists the container's processes" {
  set_args sh -c 'sleep 1000 & exec sleep 999'
  run_detached
  local pid
  pid="$(container_pid "$CID")"
  wait_for 10 test "$(rt ps --format json "$CID" | jq length)" -eq 2
  run_rt ps --format json "$CID"
  assert_status 0
  jq -e --argjson p "$pid" 'index($p) != null' <<<"$output" >/dev/null || fail "init pid $pid not in ps json: $output"
  run_rt ps "$CID"
  assert_status 0
  assert_match "$(head -1 <<<"$output")" 'PID' "ps table header"
  assert_match "$output" "(^|[^0-9])$pid([^0-9]|$)" "ps table lists the init pid"
  # runc prints ps(1)'s table; crun only the pids.
  [[ "$RUNTIME_KIND" != crun ]] || return 0
  assert_match "$output" "sleep 999" "ps table lists sleep 999"
  assert_match "$output" "sleep 1000" "ps table lists sleep 1000"
}

@test "state of an unknown container fails with a message" {
  run_rt state "no-such-$CID"
  assert_failure
  assert_error_mentions "no-such-$CID\|not exist\|not found"
}

@test "create with an id already in use fails" {
  set_args sleep 1000
  create_ctr
  run rt create "$CID" </dev/null
  assert_failure "second create with the same id"
  assert_error_mentions "exist\|in use"
  status_is "$CID" created || fail "first container disturbed"
}
