#!/usr/bin/env bats
# Terminals: `run` with terminal true through a real pty (script(1)), and
# --console-socket receiving the pty master.

load helpers

@test "run -t: through a real pty the container's stdin/stdout is /dev/pts/N" {
  cfg '.process.terminal = true'
  set_args sh -c 'tty; stty size; echo done'
  # script gives the runtime a real terminal on its stdio
  run timeout -k 5 30 script -qec "$RUNTIME --root $ROOT run $CID" /dev/null </dev/null
  assert_status 0
  assert_match "$output" '/dev/pts/[0-9]+' "tty inside"
  assert_match "$output" 'done' "command completed"
}

@test "run -t: exit code passes through the pty" {
  cfg '.process.terminal = true'
  set_args sh -c 'exit 5'
  run timeout -k 5 30 script -qec "$RUNTIME --root $ROOT run $CID" /dev/null </dev/null
  # script(1) -e returns the child's status
  assert_status 5
}

@test "terminal false: stdout is not a tty" {
  set_args sh -c 'tty; echo rc=$?'
  run timeout -k 5 30 script -qec "$RUNTIME --root $ROOT run $CID" /dev/null </dev/null
  assert_match "$output" 'not a tty' "tty"
}

@test "--console-socket: the receiver gets the pty master and reads the container's output" {
  cfg '.process.terminal = true'
  set_args sh -c 'tty; echo hello-from-pty'
  local sock="$TESTDIR/console.sock" out="$TESTDIR/console.out"
  "$E2E_DIR/recv-console.py" "$sock" "$out" "$TESTDIR/recv.ready" &
  local recv=$!
  defer "kill $recv"
  wait_for 10 test -e "$TESTDIR/recv.ready"
  run_rt create --console-socket "$sock" "$CID"
  assert_status 0
  wait_for 10 test -e "$out.fd-received"
  run_rt start "$CID"
  assert_status 0
  wait_for 10 grep -q hello-from-pty "$out"
  assert_match "$(cat "$out")" '/dev/pts/[0-9]+' "tty inside"
  wait_for 10 status_is "$CID" stopped
}

@test "--console-socket: run --detach with a terminal" {
  cfg '.process.terminal = true'
  set_args sh -c 'echo detached-pty; sleep 1000'
  local sock="$TESTDIR/console.sock" out="$TESTDIR/console.out"
  "$E2E_DIR/recv-console.py" "$sock" "$out" "$TESTDIR/recv.ready" &
  local recv=$!
  defer "kill $recv"
  wait_for 10 test -e "$TESTDIR/recv.ready"
  run_rt run --detach --console-socket "$sock" "$CID"
  assert_status 0
  wait_for 10 grep -q detached-pty "$out"
  status_is "$CID" running || fail "not running"
}

@test "terminal true without --console-socket in create/run --detach fails" {
  cfg '.process.terminal = true'
  set_args true
  run timeout -k 5 30 "$RUNTIME" --root "$ROOT" create "$CID" </dev/null
  assert_failure "create with terminal and no console socket"
  assert_error_mentions "console"
}

@test "exec -t with --console-socket" {
  set_args sleep 1000
  run_detached
  local sock="$TESTDIR/console.sock" out="$TESTDIR/console.out"
  "$E2E_DIR/recv-console.py" "$sock" "$out" "$TESTDIR/recv.ready" &
  local recv=$!
  defer "kill $recv"
  wait_for 10 test -e "$TESTDIR/recv.ready"
  run_rt exec -t --detach --console-socket "$sock" "$CID" sh -c 'tty; echo exec-pty'
  assert_status 0
  wait_for 10 grep -q exec-pty "$out"
  assert_match "$(cat "$out")" '/dev/pts/[0-9]+' "tty in exec"
}
