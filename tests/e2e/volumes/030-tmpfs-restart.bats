#!/usr/bin/env bats
# Volumes with driver options (tmpfs, a bind of a host directory) are
# mounted while a container uses them; volumes and their use survive a
# kill -9 of berthd (live restore).

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { vol_teardown; }

@test "a tmpfs volume is mounted while used and unmounted after the last user" {
  b volume create -o type=tmpfs -o device=tmpfs -o o=size=2m,uid=1000 tv >/dev/null
  local mp="$DATA/volumes/tv/_data"
  if host_mounted "$mp"; then fail "mounted before use"; fi
  b run -d --name t1 -v tv:/data busybox sleep 1000 >/dev/null
  b run -d --name t2 -v tv:/data busybox sleep 1000 >/dev/null
  host_mounted "$mp" || fail "not mounted while used"
  run_berth exec t1 sh -c 'grep " /data " /proc/mounts; stat -c %u /data; echo shared >/data/f'
  assert_success
  assert_match "$output" "tmpfs /data tmpfs"
  assert_match "$output" "size=2048k"
  assert_match "$output" $'\n1000'
  run_berth exec t2 cat /data/f
  assert_eq "$output" "shared"
  b stop -t 0 t1 >/dev/null
  host_mounted "$mp" || fail "unmounted while t2 still uses it"
  b stop -t 0 t2 >/dev/null
  wait_for 10 bash -c "! awk -v p='$mp' '\$5 == p {f=1} END {exit !f}' /proc/self/mountinfo" \
    || fail "still mounted after the last user stopped"
  b start t1 >/dev/null
  run_berth exec t1 ls -A /data
  assert_eq "$output" ""  # a fresh tmpfs
}

@test "a volume binding a host directory (-o type=none,o=bind)" {
  mkdir -p "$CTDIR/dev-dir"
  echo host >"$CTDIR/dev-dir/h"
  b volume create -o type=none -o "device=$CTDIR/dev-dir" -o o=bind bv >/dev/null
  run_berth run --rm -v bv:/data busybox sh -c 'cat /data/h; echo back >/data/c'
  assert_success
  assert_eq "$output" "host"
  assert_eq "$(cat "$CTDIR/dev-dir/c")" "back"
  if host_mounted "$DATA/volumes/bv/_data"; then fail "left mounted"; fi
  b volume create -o type=none -o device=/does/not/exist -o o=bind badv >/dev/null
  run_berth run --rm -v badv:/data busybox true
  assert_failure
  assert_match "$output" "error while mounting volume"
}

@test "volumes and their use survive kill -9 of berthd (live restore)" {
  b volume create -o type=tmpfs -o device=tmpfs tr >/dev/null
  b run -d --name lr -v tr:/t -v named:/n -v /anon busybox sleep 1000 >/dev/null
  b exec lr sh -c 'echo kept >/t/f; echo n >/n/f'
  local id
  id="$(b inspect -f '{{.Id}}' lr)"
  BERTHD_PID="$(tail -1 "$CTDIR/berthd.pids")"  # an earlier test may have restarted it
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  start_berthd
  run_berth volume ls -q
  assert_success
  assert_eq "$(wc -l <<<"$output")" "3"
  run_berth volume rm named
  assert_failure
  assert_match "$output" "volume is in use - \[$id\]"
  host_mounted "$DATA/volumes/tr/_data" || fail "tmpfs volume unmounted by the restart"
  run_berth exec lr cat /t/f
  assert_eq "$output" "kept"
  # Another user shares the same tmpfs, not a new one.
  run_berth run --rm -v tr:/t busybox cat /t/f
  assert_eq "$output" "kept"
  b stop -t 0 lr >/dev/null
  wait_for 10 bash -c "! awk -v p='$DATA/volumes/tr/_data' '\$5 == p {f=1} END {exit !f}' /proc/self/mountinfo" \
    || fail "tmpfs volume still mounted after its user stopped"
  b rm -v lr >/dev/null
  run_berth volume ls -q
  assert_eq "$output" "$(printf 'named\ntr')"
}

@test "a tmpfs volume whose user exited while berthd was down is unmounted at start" {
  b volume create -o type=tmpfs -o device=tmpfs td >/dev/null
  b run -d --name gone -v td:/t busybox sh -c 'sleep 0.5' >/dev/null
  local id mon
  id="$(b inspect -f '{{.Id}}' gone)"
  mon="$(cat "$EXEC/containers/$id/monitor.pid")"
  BERTHD_PID="$(tail -1 "$CTDIR/berthd.pids")"  # an earlier test may have restarted it
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  # The container ends (its monitor with it) while berthd is away.
  wait_for 20 pid_gone "$mon" || fail "the container did not end"
  host_mounted "$DATA/volumes/td/_data" || fail "the tmpfs was not mounted at all"
  start_berthd
  wait_state gone exited
  if host_mounted "$DATA/volumes/td/_data"; then fail "left mounted"; fi
}
