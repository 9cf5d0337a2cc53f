#!/usr/bin/env bats
# cgroups: memory (limit, OOM kill), pids, cpu, devices, cgroupsPath, cleanup.

load helpers

@test "memory limit: the process is OOM-killed, run exits 137" {
  set_cgroups_path "$CID"
  cfg '.linux.resources.memory = {"limit": 8388608}'
  # busybox tail keeps the whole newline-less input in memory
  set_args tail /dev/zero
  run_rt run "$CID"
  assert_status 137
}

@test "memory limit: an allocating child in a pipeline is OOM-killed, the shell reports 137" {
  set_cgroups_path "$CID"
  cfg '.linux.resources.memory = {"limit": 8388608}'
  # The allocating tail volunteers (oom_score_adj 1000) so the OOM killer
  # does not pick the shell that reports the status.
  set_args sh -c 'head -c 64m /dev/zero | sh -c "echo 1000 > /proc/self/oom_score_adj; exec tail"; echo status=$?'
  # While the killed tail's memory is being reclaimed, a v1 memcg can OOM a
  # second time and take the shell (a kernel race, seen with runc too): up
  # to three attempts, each a fresh container. Without a working limit
  # every attempt prints status=0 and the test fails.
  local attempt
  for attempt in 1 2 3; do
    [[ $attempt == 1 ]] || { new_cid; set_cgroups_path "$CID"; }
    run_rt run "$CID"
    [[ $status == 0 && $output == *status=137* ]] && break
  done
  assert_status 0
  assert_match "$output" 'status=137' "pipeline status"
}

@test "memory limit: usage below the limit works" {
  set_cgroups_path "$CID"
  cfg '.linux.resources.memory = {"limit": 67108864}'
  set_args sh -c 'head -c 4m /dev/zero | tail | wc -c'
  run_rt run "$CID"
  assert_status 0
  assert_eq "$output" 4194304 "bytes through tail"
}

@test "memory limit is written to the container's cgroup" {
  set_cgroups_path "$CID"
  cfg '.linux.resources.memory = {"limit": 33554432}'
  set_args sleep 1000
  run_detached
  local pid dir
  pid="$(container_pid "$CID")"
  if cgroup_v2; then
    dir="$(cgroup_of "$pid" "")"
    assert_eq "$(cat "$dir/memory.max")" 33554432 memory.max
  else
    dir="$(cgroup_of "$pid" memory)"
    assert_eq "$(cat "$dir/memory.limit_in_bytes")" 33554432 memory.limit_in_bytes
  fi
  assert_match "$dir" "/$CID\$" "cgroup dir named after cgroupsPath"
}

@test "pids limit: a fork beyond the limit fails" {
  set_cgroups_path "$CID"
  cfg '.linux.resources.pids = {"limit": 5}'
  set_args sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 30 & done 2>&1; echo loop-done; kill $(jobs -p) 2>/dev/null; true'
  run_rt run "$CID"
  assert_match "$output" "can't fork|Resource temporarily unavailable" "fork beyond pids.max"
}

@test "pids limit is written to the container's cgroup" {
  set_cgroups_path "$CID"
  cfg '.linux.resources.pids = {"limit": 17}'
  set_args sleep 1000
  run_detached
  local dir
  dir="$(cgroup_of "$(container_pid "$CID")" pids)"
  assert_eq "$(cat "$dir/pids.max")" 17 pids.max
}

@test "cpu shares and quota are written to the container's cgroup" {
  cgroup_v2 && skip "v1 file names"
  set_cgroups_path "$CID"
  cfg '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}'
  set_args sleep 1000
  run_detached
  local dir
  dir="$(cgroup_of "$(container_pid "$CID")" cpu)"
  assert_eq "$(cat "$dir/cpu.shares")" 512 cpu.shares
  assert_eq "$(cat "$dir/cpu.cfs_quota_us")" 50000 cpu.cfs_quota_us
  assert_eq "$(cat "$dir/cpu.cfs_period_us")" 100000 cpu.cfs_period_us
}

@test "cpuset cpus are applied" {
  set_cgroups_path "$CID"
  cfg '.linux.resources.cpu = {"cpus": "0"}'
  set_args sh -c 'grep Cpus_allowed_list /proc/self/status'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'Cpus_allowed_list:[[:space:]]+0$' "allowed cpus"
}

@test "devices cgroup: a device node not allowed by resources.devices cannot be opened" {
  [[ -b /dev/loop0 ]] || skip "no /dev/loop0 on the host"
  set_cgroups_path "$CID"
  # /dev/loop0 (b 7:0) is created in the container; the default rules deny it.
  cfg '.linux.devices = [{"path":"/dev/loop0","type":"b","major":7,"minor":0}] | .linux.resources.devices = [{"allow":false,"access":"rwm"}]'
  set_args sh -c 'if dd if=/dev/loop0 of=/dev/null count=1 2>&1; then echo open-ok; else echo open-failed; fi; echo y > /dev/null && echo null-ok'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'Operation not permitted' "open /dev/loop0"
  assert_match "$output" 'open-failed' "open /dev/loop0"
  assert_match "$output" 'null-ok' "/dev/null still allowed"
}

@test "devices cgroup: an allow rule lets the device be opened" {
  [[ -b /dev/loop0 ]] || skip "no /dev/loop0 on the host"
  set_cgroups_path "$CID"
  cfg '.linux.devices = [{"path":"/dev/loop0","type":"b","major":7,"minor":0}] | .linux.resources.devices = [{"allow":false,"access":"rwm"},{"allow":true,"type":"b","major":7,"minor":0,"access":"rw"}]'
  set_args sh -c 'if dd if=/dev/loop0 of=/dev/null count=1 2>&1; then echo open-ok; else echo open-failed; fi; ls -l /dev/loop0'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'open-ok' "open /dev/loop0"
  assert_match "$output" $'\nbrw[^\n]* 7, +0 [^\n]*/dev/loop0' "block device node 7:0"
}

@test "the process is in the cgroup named by cgroupsPath; delete removes the cgroup" {
  set_cgroups_path "$CID"
  set_args sleep 1000
  run_detached
  local pid ctl
  pid="$(container_pid "$CID")"
  for ctl in memory pids cpu freezer; do
    cgroup_v2 && ctl=""
    assert_match "$(cgroup_of "$pid" "$ctl")" "/$CID\$" "$ctl cgroup of the container"
    grep -qx "$pid" "$(cgroup_of "$pid" "$ctl")/cgroup.procs" || fail "pid not in $ctl cgroup.procs"
  done
  [[ -n "$(cgroup_dirs "$CID")" ]] || fail "no cgroup dir named $CID"
  run_rt kill "$CID" KILL
  wait_for 10 status_is "$CID" stopped
  run_rt delete "$CID"
  assert_status 0
  assert_eq "$(cgroup_dirs "$CID")" "" "cgroup dirs after delete"
}

@test "a nested cgroupsPath is created and removed" {
  set_cgroups_path "berth-e2e-parent-$CID/$CID"
  defer "rmdir /sys/fs/cgroup/*/berth-e2e-parent-$CID"
  set_args sh -c 'cat /proc/self/cgroup'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" ":pids:/berth-e2e-parent-$CID/$CID" "pids cgroup"
  assert_eq "$(cgroup_dirs "$CID")" "" "leaf cgroup dirs after run"
}
