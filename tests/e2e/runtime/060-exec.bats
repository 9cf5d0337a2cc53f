#!/usr/bin/env bats
# exec: joins the running container's namespaces; --env, --cwd, --user,
# --process, --detach --pid-file; exit codes.

load helpers

setup_running() {
  cfg '.hostname = "exec-host"'
  set_args sleep 1000
  run_detached
}

@test "exec joins the container's pid, mount, uts namespaces" {
  setup_running
  local pid
  pid="$(container_pid "$CID")"
  run_rt exec "$CID" sh -c 'readlink /proc/1/ns/pid; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; hostname; cat /proc/1/cmdline | tr "\0" " "'
  assert_status 0
  local lines
  mapfile -t lines <<<"$output"
  assert_eq "${lines[0]}" "$(readlink /proc/$pid/ns/pid)" "pid ns of pid 1 seen from exec"
  assert_eq "${lines[1]}" "$(readlink /proc/$pid/ns/pid)" "pid ns of the exec process"
  assert_eq "${lines[2]}" "$(readlink /proc/$pid/ns/mnt)" "mnt ns of the exec process"
  assert_eq "${lines[3]}" "exec-host" "hostname in exec"
  assert_match "${lines[4]}" '^sleep 1000' "pid 1 is the container's init"
}

@test "exec: ps inside shows the container's processes" {
  setup_running
  run_rt exec "$CID" ps
  assert_status 0
  assert_match "$output" $'(^|\n) +1 [^\n]*sleep 1000' "pid 1 in ps"
  assert_eq "$(grep -c . <<<"$output")" 3 "ps lines (header, init, ps)"
}

@test "exec: exit code passes through" {
  setup_running
  run_rt exec "$CID" sh -c 'exit 7'
  assert_status 7
  run_rt exec "$CID" true
  assert_status 0
}

@test "exec --env and the container's env" {
  BATS_SKIP_REASON="crun 1.8 exec --env replaces the environment (runc adds to it)" skip_if_kind crun
  cfg '.process.env += ["FROM_CONFIG=1"]'
  setup_running
  run_rt exec --env FOO=bar --env "SPACED=a b" "$CID" sh -c 'echo "$FOO|$SPACED|$FROM_CONFIG"'
  assert_status 0
  assert_eq "$output" "bar|a b|1" "environment"
}

@test "exec --cwd" {
  setup_running
  run_rt exec --cwd /tmp "$CID" pwd
  assert_status 0
  assert_eq "$output" "/tmp" "pwd"
}

@test "exec --user uid:gid" {
  setup_running
  run_rt exec --user 65534:65534 "$CID" sh -c 'id -u; id -g'
  assert_status 0
  assert_eq "$(echo $output)" "65534 65534" "uid gid"
}

@test "exec --process FILE" {
  setup_running
  jq -n '{terminal:false, user:{uid:0,gid:0}, args:["sh","-c","echo $MSG; pwd"], env:["PATH=/bin","MSG=from-process-json"], cwd:"/etc"}' >"$TESTDIR/process.json"
  run_rt exec --process "$TESTDIR/process.json" "$CID"
  assert_status 0
  assert_eq "$(echo $output)" "from-process-json /etc" "output"
}

@test "exec --detach --pid-file" {
  setup_running
  rt exec --detach --pid-file "$TESTDIR/exec.pid" "$CID" sh -c 'echo x > /dev/shm/exec-ran; exec sleep 999' </dev/null >"$TESTDIR/exec.log" 2>&1 \
    || fail "exec --detach failed: $(cat "$TESTDIR/exec.log")"
  local epid
  epid="$(cat "$TESTDIR/exec.pid")"
  assert_match "$epid" '^[1-9][0-9]*$' "pid file content"
  wait_for 10 grep -q '^sleep' "/proc/$epid/cmdline"
  assert_eq "$(readlink /proc/$epid/ns/pid)" "$(readlink /proc/$(container_pid "$CID")/ns/pid)" "pid ns of the detached exec"
  run_rt exec "$CID" cat /dev/shm/exec-ran
  assert_eq "$output" x "file written by the detached exec"
}

@test "exec keeps the container's capabilities and no_new_privs" {
  BATS_SKIP_REASON="crun 1.8 exec does not inherit noNewPrivileges" skip_if_kind crun
  cfg '.process.noNewPrivileges = true'
  setup_running
  local pid
  pid="$(container_pid "$CID")"
  run_rt exec "$CID" grep -E '^(CapEff|NoNewPrivs)' /proc/self/status
  assert_status 0
  assert_match "$output" "$(grep CapEff /proc/$pid/status)" "CapEff same as init"
  assert_match "$output" 'NoNewPrivs:[[:space:]]+1' "NoNewPrivs"
}

@test "exec into a stopped container fails" {
  set_args true
  run_detached
  wait_for 10 status_is "$CID" stopped
  run_rt exec "$CID" true
  assert_failure "exec into stopped"
}

@test "exec of a nonexistent binary fails non-zero" {
  setup_running
  run_rt exec "$CID" /no/such/binary
  assert_failure "exec /no/such/binary"
  status_is "$CID" running || fail "container disturbed"
}

@test "exec: the exec'd process is in the container's cgroup" {
  set_cgroups_path "$CID"
  setup_running
  run_rt exec "$CID" cat /proc/self/cgroup
  assert_status 0
  assert_match "$output" ":pids:/$CID" "pids cgroup of the exec process"
}
