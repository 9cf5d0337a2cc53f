#!/usr/bin/env bats
# User namespaces: uid/gid mappings.

load helpers

userns_config() {
  cfg '.linux.namespaces += [{"type":"user"}]
     | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
     | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
}

@test "userns: uid_map and gid_map are as configured" {
  userns_config
  set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
  run_rt run "$CID"
  assert_status 0
  local lines
  mapfile -t lines <<<"$output"
  assert_match "${lines[0]}" '^ *0 +100000 +65536$' uid_map
  assert_match "${lines[1]}" '^ *0 +100000 +65536$' gid_map
  assert_eq "${lines[2]}" 0 "uid inside"
}

@test "userns: root in the container is uid 100000 on the host" {
  userns_config
  set_args sleep 1000
  run_detached
  local pid
  pid="$(container_pid "$CID")"
  assert_match "$(grep '^Uid:' /proc/$pid/status)" '^Uid:[[:space:]]+100000[[:space:]]' "host uid"
  assert_match "$(grep '^Gid:' /proc/$pid/status)" '^Gid:[[:space:]]+100000[[:space:]]' "host gid"
  assert_ne "$(readlink /proc/$pid/ns/user)" "$(readlink /proc/self/ns/user)" "user namespace"
}

@test "userns: host-root-owned files are not writable by container root" {
  userns_config
  mkdir "$TESTDIR/hostdir"
  chmod 0755 "$TESTDIR/hostdir"
  mkdir "$BUNDLE/rootfs/hostdir"
  cfg '.mounts += [{"destination":"/hostdir","type":"bind","source":$s,"options":["rbind","rw"]}]' --arg s "$TESTDIR/hostdir"
  set_args sh -c 'touch /hostdir/x 2>&1; echo rc=$?'
  run_rt run "$CID"
  assert_status 0
  assert_match "$output" 'Permission denied' "write to a host root dir"
  [[ ! -e "$TESTDIR/hostdir/x" ]] || fail "file created"
}

@test "userns: exec joins the user namespace" {
  userns_config
  set_args sleep 1000
  run_detached
  run_rt exec "$CID" cat /proc/self/uid_map
  assert_status 0
  assert_match "$output" '^ *0 +100000 +65536$' "uid_map in exec"
}
