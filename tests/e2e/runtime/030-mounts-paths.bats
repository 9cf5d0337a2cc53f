#!/usr/bin/env bats
# Mounts and process settings: bind mounts (rw, ro), tmpfs with options,
# /dev, cwd, env, user, additional gids, rlimits.

load helpers

@test "bind mount rw: the container writes a host directory" {
  mkdir "$TESTDIR/host-rw"
  echo from-host >"$TESTDIR/host-rw/in"
  cfg '.mounts += [{"destination":"/data","type":"bind","source":$s,"options":["rbind","rw"]}]' --arg s "$TESTDIR/host-rw"
  set_args sh -c 'cat /data/in; echo from-ctr > /data/out'
  run_rt run "$CID"
  assert_status 0
  assert_eq "$output" "from-host" "read through the bind mount"
  assert_eq "$(cat "$TESTDIR/host-rw/out")" "from-ctr" "written through the bind mount"
}

@test "bind mount ro: writes fail" {
  mkdir "$TESTDIR/host-ro"
  cfg '.mounts += [{"destination":"/data","type":"bind","source":$s,"options":["rbind","ro"]}]' --arg s "$TESTDIR/host-ro"
  set_args sh -c 'touch /data/x 2>&1; echo rc=$?'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'Read-only file system' "touch in ro bind"
  [[ ! -e "$TESTDIR/host-ro/x" ]] || fail "file written through a read-only bind mount"
}

@test "bind mount of a single file, destination created in the rootfs" {
  echo file-content >"$TESTDIR/single"
  cfg '.mounts += [{"destination":"/etc/berth-e2e/single","type":"bind","source":$s,"options":["bind","ro"]}]' --arg s "$TESTDIR/single"
  cfg '.root.readonly = false'
  set_args cat /etc/berth-e2e/single
  run_rt run "$CID"
  assert_status 0
  assert_eq "$output" "file-content" "file bind mount"
}

@test "tmpfs mount with size and mode options" {
  cfg '.mounts += [{"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["nosuid","nodev","size=1m","mode=1770"]}]'
  set_args sh -c 'awk "\$5 == \"/scratch\"" /proc/self/mountinfo; stat -c %a /scratch; dd if=/dev/zero of=/scratch/f bs=1k count=2048 2>&1; echo rc=$?'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" ' /scratch [^ ]*nosuid' "nosuid on /scratch"
  assert_match "$output" 'tmpfs tmpfs[^ ]* [^ ]*size=1024k' "size=1m"
  assert_match "$output" $'\n1770\n' "mode"
  assert_match "$output" 'No space left on device' "writing 2 MiB into a 1 MiB tmpfs"
}

@test "/dev has the standard nodes and devpts" {
  set_args sh -c 'for d in null zero full random urandom tty; do [ -c /dev/$d ] && echo ok-$d; done; [ -e /dev/ptmx ] && echo ok-ptmx; [ -d /dev/pts ] && echo ok-pts; [ -d /dev/shm ] && echo ok-shm; echo x > /dev/null && echo ok-write; head -c 4 /dev/zero | wc -c'
  run_rt run "$CID"
  assert_status 0
  local d
  for d in null zero full random urandom tty ptmx pts shm write; do
    assert_match "$output" "ok-$d" "/dev/$d"
  done
  assert_match "$output" $'\n4$' "read /dev/zero"
}

@test "/dev does not expose host devices" {
  [[ -e /dev/vda || -e /dev/sda || -e /dev/kmsg ]] || skip "no recognisable host device"
  set_args sh -c 'ls /dev'
  run_rt run "$CID"
  assert_status 0
  assert_no_match "$output" '(^|[[:space:]])(vda|sda|kmsg|mem)($|[[:space:]])' "host device nodes in /dev"
}

@test "process.cwd is the working directory" {
  cfg '.process.cwd = "/tmp"'
  set_args pwd
  run_rt run "$CID"
  assert_status 0
  assert_eq "$output" "/tmp" "pwd"
}

@test "process.cwd that does not exist is created (as runc does)" {
  cfg '.process.cwd = "/work/dir" | .root.readonly = false'
  set_args pwd
  run_rt run "$CID"
  assert_status 0
  assert_eq "$output" "/work/dir" "pwd"
}

@test "process.env is the environment" {
  cfg '.process.env = ["PATH=/bin", "BERTH_E2E=hello world", "EMPTY="]'
  set_args sh -c 'echo "[$BERTH_E2E][$EMPTY][$PATH]"; env | grep -c .'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" '^\[hello world\]\[\]\[/bin\]' "env values"
}

@test "process.user uid/gid and additionalGids" {
  cfg '.process.user = {"uid":65534,"gid":65534,"additionalGids":[10,20]}'
  set_args sh -c 'id -u; id -g; id -G'
  run_rt run "$CID"
  assert_status 0
  assert_eq "$(sed -n 1p <<<"$output")" 65534 uid
  assert_eq "$(sed -n 2p <<<"$output")" 65534 gid
  assert_match "$(sed -n 3p <<<"$output")" '(^| )10( |$)' "group 10"
  assert_match "$(sed -n 3p <<<"$output")" '(^| )20( |$)' "group 20"
}

@test "a non-root user cannot write the root-owned /root" {
  cfg '.process.user = {"uid":65534,"gid":65534} | .root.readonly = false'
  set_args sh -c 'touch /root/x 2>&1; echo rc=$?'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'Permission denied' "touch /root/x as nobody"
}

@test "rlimits: RLIMIT_NOFILE soft and hard are applied" {
  cfg '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":123,"hard":456}]'
  set_args sh -c 'ulimit -n; ulimit -H -n'
  run_rt run "$CID"
  assert_status 0
  assert_eq "$(echo $output)" "123 456" "soft hard"
}

@test "rlimits: raising a hard limit beyond the host's fails clearly" {
  local hard
  hard="$(ulimit -H -n)"
  [[ "$hard" != unlimited ]] || skip "host nofile hard limit is unlimited"
  # Only meaningful where root cannot raise hard limits (no CAP_SYS_RESOURCE).
  if (ulimit -H -n $((hard + 1))) 2>/dev/null; then
    skip "this host allows raising the hard nofile limit"
  fi
  cfg '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":1024,"hard":($h + 1)}]' --argjson h "$hard"
  set_args true
  run rt run "$CID"
  assert_failure "run with nofile hard > host hard"
  assert_error_mentions "rlimit\|nofile\|operation not permitted"
}
