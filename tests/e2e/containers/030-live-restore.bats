#!/usr/bin/env bats
# Containers survive berthd: kill -9 and restart, nothing lost.

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { ct_teardown; }

@test "kill -9 berthd: containers run on, logs stay whole, exits are learned" {
  b run -d --name writer busybox sh -c 'i=0; while [ $i -lt 400 ]; do echo "n $i"; i=$((i+1)); sleep 0.01; done; sleep 1000' >/dev/null
  b run -d -i --name ender busybox sh -c 'read x; exit 9' >/dev/null
  b run -d --name ender2 busybox sh -c 'sleep 2; exit 3' >/dev/null
  wait_log writer "n 10"
  pid_writer="$(b inspect --format '{{.State.Pid}}' writer)"
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  # While berthd is down: the container runs and the log grows.
  log="$DATA/containers/$(ls "$DATA/containers" | head -1)"
  pid_alive "$pid_writer" || fail "container died with berthd"
  ender_id="$(cat "$DATA"/containers/*/config.v2.json | jq -r 'select(.Name=="/ender2") | .ID')"
  wait_for 20 test -f "$EXEC/containers/$ender_id/exit.json"
  start_berthd
  assert_eq "$(state writer)" running
  assert_eq "$(b inspect --format '{{.State.Pid}}' writer)" "$pid_writer"
  assert_eq "$(state ender2)" exited
  assert_eq "$(b inspect --format '{{.State.ExitCode}}' ender2)" 3
  wait_log writer "n 399" 30
  run_berth logs writer
  assert_eq "${#lines[@]}" 400
  for i in 0 100 250 399; do assert_eq "${lines[$i]}" "n $i"; done
  # Exits after the restart are seen too.
  b stop -t 1 writer >/dev/null
  assert_eq "$(state writer)" exited
  b kill ender >/dev/null
  wait_state ender exited
  assert_eq "$(b inspect --format '{{.State.ExitCode}}' ender)" 137
}

@test "graceful restart of berthd keeps containers too; restart policy always restarts" {
  b run -d --name longrun busybox sleep 1000 >/dev/null
  pid="$(b inspect --format '{{.State.Pid}}' longrun)"
  stop_berthd
  pid_alive "$pid" || fail "container stopped with berthd"
  start_berthd
  assert_eq "$(state longrun)" running
  assert_eq "$(b inspect --format '{{.State.Pid}}' longrun)" "$pid"
}

@test "restart policies: on-failure:2 retries twice; always restarts after exit" {
  b run -d --name of --restart on-failure:2 busybox sh -c 'exit 1' >/dev/null
  wait_for 20 bash -c "[[ \$('$BERTH' -H '$HOST' inspect --format '{{.RestartCount}}' of) == 2 ]]"
  wait_state of exited
  b run -d --name alw --restart always busybox sh -c 'sleep 0.2; exit 0' >/dev/null
  wait_for 20 bash -c "(( \$('$BERTH' -H '$HOST' inspect --format '{{.RestartCount}}' alw) >= 2 ))"
  b stop -t 1 alw >/dev/null
  count="$(b inspect --format '{{.RestartCount}}' alw)"
  wait_state alw exited
  assert_eq "$(b inspect --format '{{.RestartCount}}' alw)" "$count"
}
