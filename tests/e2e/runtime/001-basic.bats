#!/usr/bin/env bats
# Basic `run`: pid namespace, hostname, default mounts, masked and read-only
# paths, read-only root, exit codes and signals, `spec`, `features`.

load helpers

@test "run: the process is PID 1 in its own pid namespace" {
  set_args sh -c 'echo $$'
  run_rt run "$CID"
  assert_status 0
  assert_eq "$output" "1" "echo \$\$"
}

@test "run: hostname comes from config.json" {
  cfg '.hostname = "berth-e2e-host" | .linux.namespaces |= (map(select(.type != "uts")) + [{"type":"uts"}])'
  set_args hostname
  run_rt run "$CID"
  assert_status 0
  assert_eq "$output" "berth-e2e-host" "hostname"
  assert_ne "$(hostname)" "berth-e2e-host" "host's hostname must not change"
}

@test "run: /proc is mounted proc, /sys is sysfs read-only" {
  set_args sh -c 'cat /proc/self/mountinfo'
  run_rt run "$CID"
  assert_status 0
  local procline sysline
  procline="$(awk '$5 == "/proc"' <<<"$output")"
  sysline="$(awk '$5 == "/sys"' <<<"$output")"
  assert_match "$procline" ' - proc ' "/proc mount"
  assert_match "$sysline" ' - sysfs ' "/sys mount"
  assert_match "$(awk '{print $6}' <<<"$sysline")" '(^|,)ro(,|$)' "/sys mount options"
  # and /proc shows the container's processes only
  set_args sh -c 'ls -d /proc/[0-9]* | wc -l'
  new_cid
  run_rt run "$CID"
  assert_status 0
  [[ "$output" -le 3 ]] || fail "container sees $output processes in /proc"
}

@test "run: writing to read-only /sys fails" {
  set_args sh -c 'touch /sys/berth-e2e 2>&1; echo rc=$?'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'Read-only file system' "touch /sys/x"
  assert_match "$output" 'rc=1' "touch /sys/x"
}

@test "run: masked paths are empty (files) and empty (directories)" {
  [[ -s /proc/cmdline ]] || skip "host /proc/cmdline is empty"
  [[ -n "$(ls -A /sys/firmware)" ]] || skip "host /sys/firmware is empty"
  cfg '.linux.maskedPaths += ["/proc/cmdline"]'
  set_args sh -c 'echo "file=$(cat /proc/cmdline 2>/dev/null | wc -c)"; echo "dir=$(ls -A /sys/firmware | wc -l)"; echo "timer_list=$(cat /proc/timer_list 2>/dev/null | wc -c)"'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'file=0' "/proc/cmdline masked"
  assert_match "$output" 'dir=0' "/sys/firmware masked"
  assert_match "$output" 'timer_list=0' "/proc/timer_list masked"
}

@test "run: /proc/kcore is masked when present" {
  [[ -e /proc/kcore ]] || skip "no /proc/kcore on this kernel"
  set_args sh -c 'head -c 16 /proc/kcore | wc -c'
  run_rt run "$CID"
  assert_eq "${output##*$'\n'}" "0" "bytes read from /proc/kcore"
}

@test "run: read-only paths refuse writes (/proc/sys)" {
  set_args sh -c 'echo x > /proc/sys/kernel/domainname 2>&1; echo rc=$?'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'Read-only file system' "write /proc/sys"
  assert_match "$output" 'rc=[1-9]' "write /proc/sys"
}

@test "run: root.readonly makes / read-only; false makes it writable" {
  cfg '.root.readonly = true'
  set_args sh -c 'touch /berth-e2e-file 2>&1; echo rc=$?'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'Read-only file system' "touch / with readonly root"
  [[ ! -e "$BUNDLE/rootfs/berth-e2e-file" ]] || fail "file created in read-only root"

  new_cid
  cfg '.root.readonly = false'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'rc=0' "touch / with writable root"
  [[ -e "$BUNDLE/rootfs/berth-e2e-file" ]] || fail "file not created in the bundle's rootfs"
}

@test "run: exit code passes through" {
  set_args sh -c 'exit 3'
  run_rt run "$CID"
  assert_status 3
  new_cid
  set_args false
  run_rt run "$CID"
  assert_status 1
  new_cid
  set_args true
  run_rt run "$CID"
  assert_status 0
}

@test "run: stdout and stderr pass through" {
  set_args sh -c 'echo to-out; echo to-err >&2'
  run rt run "$CID"
  assert_status 0
  assert_match "$output" 'to-out' stdout
  assert_match "$output" 'to-err' stderr
  rt delete --force "$CID" 2>/dev/null || true
  new_cid
  local out
  out="$(rt run "$CID" 2>/dev/null)"
  assert_eq "$out" "to-out" "stdout alone"
}

@test "run: stdin is passed to the container" {
  set_args cat
  run bash -c '"$1" --root "$2" run "$3" <<<"from-stdin"' _ "$RUNTIME" "$ROOT" "$CID"
  assert_status 0
  assert_eq "$output" "from-stdin" "cat"
}

@test "run: killed by a signal from outside -> 128+signal" {
  set_args sleep 1000
  rt run "$CID" >"$TESTDIR/out" 2>&1 &
  local runpid=$!
  wait_for 10 status_is "$CID" running
  rt kill "$CID" KILL
  local rc=0
  wait "$runpid" || rc=$?
  assert_eq "$rc" "137" "run's exit status after SIGKILL"
}

@test "run: SIGTERM reaches a process that handles it" {
  set_args sh -c 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.05; done'
  rt run "$CID" >"$TESTDIR/out" 2>&1 &
  local runpid=$!
  wait_for 10 grep -q ready "$TESTDIR/out"
  rt kill "$CID" TERM
  local rc=0
  wait "$runpid" || rc=$?
  assert_eq "$rc" "42" "exit status from the TERM handler"
  grep -q got-term "$TESTDIR/out" || fail "handler did not run: $(cat "$TESTDIR/out")"
}

@test "run: a non-init process killed by a signal reports 128+signal" {
  set_args sh -c 'sh -c "kill -TERM \$\$"; exit $?'
  run_rt run "$CID"
  assert_status 143
}

@test "spec: writes a valid config.json and refuses to overwrite it" {
  local d="$TESTDIR/specdir"
  mkdir "$d"
  run bash -c 'cd "$1" && "$2" spec' _ "$d" "$RUNTIME"
  assert_status 0
  jq -e '.ociVersion and .process.args and .root.path and (.linux.namespaces | length > 0)' "$d/config.json" >/dev/null \
    || fail "config.json lacks ociVersion/process.args/root.path/namespaces"
  local before
  before="$(sha256sum "$d/config.json")"
  run bash -c 'cd "$1" && "$2" spec' _ "$d" "$RUNTIME"
  assert_failure "second spec"
  assert_match "$output" 'config.json' "error message"
  assert_eq "$(sha256sum "$d/config.json")" "$before" "config.json unchanged"
}

@test "spec --bundle DIR writes into DIR" {
  local d="$TESTDIR/specdir2"
  mkdir "$d"
  run "$RUNTIME" spec --bundle "$d"
  assert_status 0
  jq -e .ociVersion "$d/config.json" >/dev/null || fail "no valid config.json in $d"
}

@test "features: prints JSON with the supported namespaces" {
  [[ "$RUNTIME_KIND" == berth ]] || "$RUNTIME" features >/dev/null 2>&1 || skip "this $RUNTIME_NAME has no features command"
  run "$RUNTIME" features
  assert_status 0
  jq -e '.ociVersionMin and .ociVersionMax and (.linux.namespaces | index("pid"))' <<<"$output" >/dev/null \
    || fail "features JSON lacks ociVersionMin/Max or linux.namespaces: $output"
}
