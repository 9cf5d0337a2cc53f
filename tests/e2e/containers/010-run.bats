#!/usr/bin/env bats
# berth run / create / start / wait / rm: the basic lifecycle.

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { ct_teardown; }

@test "run --rm prints the output and exits with the container's code" {
  run_berth run --rm busybox echo hello
  assert_success
  assert_eq "$output" "hello"
  run_berth run --rm busybox sh -c 'exit 3'
  assert_status 3
  run_berth ps -aq
  assert_eq "$output" ""
}

@test "stdout and stderr stay separate without -t" {
  run_cmd bash -c "'$BERTH' -H '$HOST' run --rm busybox sh -c 'echo out; echo err >&2' 2>/dev/null"
  assert_eq "$output" "out"
  run_cmd bash -c "'$BERTH' -H '$HOST' run --rm busybox sh -c 'echo out; echo err >&2' 2>&1 >/dev/null"
  assert_eq "$output" "err"
}

@test "-i passes stdin and its end" {
  run_cmd bash -c "printf 'a\nb\n' | '$BERTH' -H '$HOST' run --rm -i busybox wc -l"
  assert_success
  assert_eq "$(echo $output)" "2"
}

@test "run -d, then the container persists until rm" {
  run_berth run -d --name keep busybox sh -c 'echo started; sleep 1000'
  assert_success
  id="$output"
  assert_match "$id" '^[0-9a-f]{64}$'
  wait_log keep started
  assert_eq "$(state keep)" running
  run_berth rm keep
  assert_failure
  assert_match "$output" "You cannot remove a running container $id"
  run_berth stop -t 1 keep
  assert_success
  assert_eq "$(state keep)" exited
  # Stopped: the filesystem changes, logs and config stay; it starts again.
  run_berth start keep
  assert_success
  wait_state keep running
  run_berth rm -f keep
  assert_success
  run_berth inspect keep
  assert_failure
  assert_match "$output" "No such (container|object): keep"
}

@test "a stopped container keeps its filesystem changes" {
  b run --name fsc busybox sh -c 'echo data > /kept' >/dev/null
  run_berth start -a fsc
  run_berth run --rm busybox cat /kept
  assert_failure
  b commit fsc fsc-img >/dev/null
  run_berth run --rm fsc-img cat /kept
  assert_eq "$output" "data"
}

@test "create then start; wait returns the exit code" {
  run_berth create --name cw busybox sh -c 'exit 7'
  assert_success
  assert_eq "$(state cw)" created
  run_berth start cw
  assert_success
  run_berth wait cw
  assert_success
  assert_eq "$output" "7"
  assert_eq "$(b inspect --format '{{.State.ExitCode}}' cw)" 7
}

@test "errors: unknown image, missing executable (127), not executable (126), name in use" {
  run_berth run --rm busybox:nope true
  assert_status 125
  assert_match "$output" "Unable to find image 'busybox:nope' locally"
  run_berth run --rm busybox /nonexistent
  assert_status 127
  assert_match "$output" "executable file not found|no such file"
  run_berth run --rm busybox /etc/passwd
  assert_status 126
  assert_match "$output" "permission denied"
  b create --name dup busybox true >/dev/null
  run_berth create --name dup busybox true
  assert_failure
  assert_match "$output" 'Conflict. The container name "/dup" is already in use'
  run_berth start nosuch
  assert_failure
  assert_match "$output" "No such container: nosuch"
}

@test "kill, restart and exit codes" {
  b run -d --name kk busybox sleep 1000 >/dev/null
  run_berth kill kk
  assert_success
  wait_state kk exited
  assert_eq "$(b inspect --format '{{.State.ExitCode}}' kk)" 137
  run_berth kill kk
  assert_failure
  assert_match "$output" "is not running"
  run_berth restart -t 1 kk
  assert_success
  wait_state kk running
  # PID 1 only dies of the signals it handles: a shell that traps TERM.
  b run -d --name kt busybox sh -c 'trap "exit 143" TERM; while :; do sleep 0.1; done' >/dev/null
  wait_state kt running
  run_berth kill -s TERM kt
  assert_success
  wait_state kt exited
  assert_eq "$(b inspect --format '{{.State.ExitCode}}' kt)" 143
}

@test "hostname, /etc/hosts and resolv.conf" {
  id="$(b create busybox sh -c 'hostname; cat /etc/hostname; grep -c . /etc/resolv.conf')"
  run_berth start -a "$id"
  assert_success
  assert_eq "${lines[0]}" "${id:0:12}"
  assert_eq "${lines[1]}" "${id:0:12}"
  run_berth run --rm --hostname web --add-host db:10.1.2.3 busybox sh -c 'hostname; grep db /etc/hosts'
  assert_success
  assert_eq "${lines[0]}" web
  assert_match "${lines[1]}" "10.1.2.3[[:space:]]+db"
  # Without a bridge network, --dns is the file's nameserver (Docker's file)...
  run_berth run --rm --network none --dns 10.9.9.9 busybox cat /etc/resolv.conf
  assert_match "$output" "nameserver 10.9.9.9"
  # ...on the bridge it is the embedded DNS's upstream (docs/architecture.md).
  run_berth run --rm --dns 10.9.9.9 busybox cat /etc/resolv.conf
  assert_match "$output" "nameserver 127.0.0.11"
  [[ "$output" != *10.9.9.9* ]] || fail "upstream in resolv.conf: $output"
}

@test "security defaults: capabilities, seccomp, masked paths, --privileged" {
  run_berth run --rm busybox grep -E '^(CapEff|Seccomp):' /proc/self/status
  assert_success
  assert_match "$output" "CapEff:[[:space:]]+00000000a80425fb"
  assert_match "$output" "Seccomp:[[:space:]]+2"
  run_berth run --rm busybox cat /proc/kcore
  assert_failure
  run_berth run --rm --privileged busybox grep -E '^(Seccomp):' /proc/self/status
  assert_match "$output" "Seccomp:[[:space:]]+0"
  run_berth run --rm --cap-drop ALL --cap-add NET_ADMIN busybox grep CapEff /proc/self/status
  assert_match "$output" "0000000000001000"
  run_berth run --rm --read-only busybox touch /x
  assert_failure
  assert_match "$output" "Read-only file system"
}

@test "resources: --memory, --pids-limit, --cpus land in the cgroup" {
  run_berth run -d --name res -m 64m --pids-limit 50 --cpus 0.5 busybox sleep 1000
  assert_success
  wait_state res running
  run_berth inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}}' res
  assert_eq "$output" "67108864 50 500000000"
  pid="$(b inspect --format '{{.State.Pid}}' res)"
  run_cmd cat /proc/$pid/cgroup
  assert_match "$output" "berth"
}
