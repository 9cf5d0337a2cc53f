#!/usr/bin/env bats
# The real podman drives the runtime under test (--runtime), with storage of
# its own and an image imported offline from the busybox bundle's rootfs.

load helpers

setup_file() {
  require_tool podman || return 1
  export PT="$(mktemp -d /run/berth-podman-XXXXXX)"
  mkdir -p "$PT/tmp"
  cat >"$PT/containers.conf" <<CONF
[containers]
netns = "none"
cgroupns = "private"
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PT/events.log"
runtime = "berth-e2e"
[engine.runtimes]
berth-e2e = ["$RUNTIME"]
CONF
  "$SCRIPTS_DIR/make-busybox-bundle" "$PT/bundle" --runtime "$RUNTIME" >/dev/null
  tar -C "$PT/bundle/rootfs" -cf "$PT/busybox.tar" .
  pm import "$PT/busybox.tar" berth-e2e/busybox:latest >/dev/null
}

teardown_file() {
  [[ -n "${PT:-}" ]] || return 0
  pm rm -a -f >/dev/null 2>&1 || true
  pm system reset -f >/dev/null 2>&1 || true
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$PT" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  rm -rf "$PT"
}

# pm ARGS...: podman with the isolated storage and the runtime under test.
pm() {
  CONTAINERS_CONF="$PT/containers.conf" TMPDIR="$PT/tmp" \
    podman --root "$PT/root" --runroot "$PT/runroot" --storage-driver vfs \
    --cgroup-manager cgroupfs --events-backend file --runtime "$RUNTIME" "$@"
}

@test "podman run --rm IMAGE echo hello" {
  run pm run --rm berth-e2e/busybox echo hello
  assert_status 0
  assert_eq "$output" "hello" "output"
}

@test "podman run: exit code passes through" {
  run pm run --rm berth-e2e/busybox sh -c 'exit 4'
  assert_status 4
}

@test "podman run -t IMAGE tty (through script for a terminal)" {
  run timeout -k 5 60 script -qec "CONTAINERS_CONF=$PT/containers.conf TMPDIR=$PT/tmp podman --root $PT/root --runroot $PT/runroot --storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime $RUNTIME run --rm -t berth-e2e/busybox tty" /dev/null </dev/null
  assert_status 0
  assert_match "$output" '/dev/pts/[0-9]+' "tty in the container"
}

@test "podman run -d, exec, stop, rm" {
  run pm run -d --name "b-$CID" berth-e2e/busybox sleep 1000
  assert_status 0
  defer "CONTAINERS_CONF=$PT/containers.conf podman --root $PT/root --runroot $PT/runroot --storage-driver vfs --runtime $RUNTIME rm -f b-$CID"
  run pm exec "b-$CID" sh -c 'echo $$; hostname'
  assert_status 0
  run pm inspect --format '{{.State.Status}}' "b-$CID"
  assert_eq "$output" running "status"
  run pm stop -t 1 "b-$CID"
  assert_status 0
  run pm inspect --format '{{.State.Status}}' "b-$CID"
  assert_match "$output" 'exited|stopped' "status after stop"
  run pm rm "b-$CID"
  assert_status 0
}
