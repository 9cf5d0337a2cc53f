#!/usr/bin/env bats
# Namespaces: each type in config.json is a new namespace, an absent type
# shares the host's, a namespace with a path is joined.

load helpers

# ns_of_host TYPE: the host's namespace link, e.g. net:[4026531840]
ns_of_host() {
  readlink "/proc/self/ns/$1"
}

@test "namespaces in config.json are new; the container sees its own" {
  cfg '.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"}]'
  set_args sh -c 'for n in pid net ipc uts mnt cgroup; do readlink /proc/self/ns/$n; done'
  run_rt run "$CID"
  assert_status 0
  local n line
  for n in pid net ipc uts mnt cgroup; do
    line="$(grep "^$n:" <<<"$output")"
    assert_match "$line" "^$n:\[[0-9]+\]$" "$n namespace link"
    assert_ne "$line" "$(ns_of_host "$n")" "$n namespace (must differ from the host's)"
  done
}

@test "a namespace type left out of config.json is shared with the host" {
  cfg 'del(.hostname) | .linux.namespaces |= map(select(.type != "network" and .type != "ipc" and .type != "uts"))'
  set_args sh -c 'for n in net ipc uts pid; do readlink /proc/self/ns/$n; done'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" "$(ns_of_host net | sed 's/[][]/\\&/g')" "net shared with host"
  assert_match "$output" "$(ns_of_host ipc | sed 's/[][]/\\&/g')" "ipc shared with host"
  assert_match "$output" "$(ns_of_host uts | sed 's/[][]/\\&/g')" "uts shared with host"
  assert_no_match "$output" "$(ns_of_host pid | sed 's/[][]/\\&/g')" "pid not shared"
}

@test "network namespace: only a loopback interface, which is up" {
  set_args sh -c 'ls /sys/class/net; echo ---; ip link show lo'
  run_rt run "$CID"
  assert_status 0
  assert_eq "$(head -1 <<<"$output")" "lo" "interfaces"
  assert_eq "$(sed '/^---$/q' <<<"$output" | tr '\n' ' ')" "lo --- " "interfaces"
  assert_match "$output" 'lo: <.*UP' "lo up"
}

@test "a network namespace given by path is joined" {
  local name="berth-e2e-$CID"
  ip netns add "$name"
  defer "ip netns delete $name"
  local want
  want="$(ip netns exec "$name" readlink /proc/self/ns/net)"
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/run/netns/$name"
  set_args readlink /proc/self/ns/net
  run_rt run "$CID"
  assert_status 0
  assert_eq "$output" "$want" "joined net namespace"
}

@test "a uts namespace given by path is joined (hostname seen from it)" {
  set_args sleep 1000
  cfg '.hostname = "first-ctr"'
  run_detached
  local first_pid
  first_pid="$(container_pid "$CID")"
  local first="$CID"
  new_cid
  cfg 'del(.hostname) | .linux.namespaces |= map(if .type == "uts" then .path = $p else . end)' --arg p "/proc/$first_pid/ns/uts"
  set_args hostname
  run_rt run "$CID"
  assert_status 0
  assert_eq "$output" "first-ctr" "hostname in the joined uts namespace"
}

@test "ipc namespace: a System V segment of the host is not visible" {
  local shmid
  shmid="$(ipcmk -M 4096 | grep -o '[0-9]*$')"
  defer "ipcrm -m $shmid"
  [[ "$(wc -l </proc/sysvipc/shm)" -ge 2 ]] || fail "host segment not created"
  cfg '.linux.namespaces |= (map(select(.type != "ipc")) + [{"type":"ipc"}])'
  set_args sh -c 'wc -l < /proc/sysvipc/shm'
  run_rt run "$CID"
  assert_status 0
  assert_eq "${output##*$'\n'}" "1" "lines in /proc/sysvipc/shm (header only)"
}

@test "mount namespace: the container's mounts do not appear on the host" {
  set_args sh -c 'cat /proc/self/mountinfo | wc -l'
  run_rt run "$CID"
  assert_status 0
  local host_mounts_under_bundle
  host_mounts_under_bundle="$(awk -v d="$BUNDLE/rootfs/" 'index($5, d) == 1' /proc/self/mountinfo)"
  assert_eq "$host_mounts_under_bundle" "" "mounts under the rootfs visible on the host"
}

@test "cgroup namespace: the container sees its cgroup as /" {
  cfg '.linux.namespaces |= (map(select(.type != "cgroup")) + [{"type":"cgroup"}])'
  set_args cat /proc/self/cgroup
  run_rt run "$CID"
  assert_status 0
  local line
  line="$(grep ':pids:' <<<"$output")"
  assert_eq "$line" "${line%%:/*}:/" "pids cgroup path inside a cgroup namespace"
}
