#!/usr/bin/env bats
# The real docker CLI against berthd: Debian's 20.10 client (/usr/bin/docker)
# and the 28.x client (/usr/local/bin/docker) run the volume scenarios
# (create/ls/inspect/rm/prune, run -v with a named volume, binds ro,
# --volumes-from, rm -v), each installed client in turn.

load helpers
load ../lib/docker_cli

setup_file() {
  need_docker_clients || return 1
  ct_setup_file
}
teardown_file() { ct_teardown_file; }
teardown() { vol_teardown; }

# clients, run_docker: ../lib/docker_cli.bash.

@test "docker volume create/ls/inspect/rm/prune" {
  local c
  for c in $(clients); do
    run_docker "$c" volume create --label team=a dv1
    assert_success
    assert_eq "$output" "dv1"
    run_docker "$c" volume ls --filter label=team=a
    assert_success
    assert_eq "$output" "$(printf 'DRIVER    VOLUME NAME\nlocal     dv1')"
    run_docker "$c" volume inspect -f '{{.Driver}} {{.Mountpoint}} {{.Labels}}' dv1
    assert_success
    assert_eq "$output" "local $DATA/volumes/dv1/_data map[team:a]"
    run_docker "$c" volume inspect nope
    assert_failure
    assert_match "$output" "([Nn]o such volume: nope|get nope: no such volume)"
    run_docker "$c" create --name holder -v dv1:/data busybox true
    assert_success
    run_docker "$c" volume rm dv1
    assert_failure
    assert_match "$output" "remove dv1: volume is in use - \["
    run_docker "$c" rm holder
    run_docker "$c" volume prune -f
    assert_success
    assert_match "$output" "Deleted Volumes:"
    assert_match "$output" "dv1"
    assert_match "$output" "Total reclaimed space:"
    run_docker "$c" volume ls -q
    assert_eq "$output" ""
  done
}

@test "docker run: named volume across runs, bind :ro, --volumes-from, rm -v" {
  local c
  mkdir -p "$CTDIR/dkbind"
  for c in $(clients); do
    run_docker "$c" run --rm -v dkdata:/data busybox sh -c 'echo one >/data/f'
    assert_success
    run_docker "$c" run --rm -v dkdata:/data busybox cat /data/f
    assert_eq "$output" "one"
    run_docker "$c" run --rm -v "$CTDIR/dkbind:/b:ro" busybox touch /b/x
    assert_failure
    assert_match "$output" "Read-only file system"
    run_docker "$c" run -d --name dsrc -v dkdata:/data -v /anon busybox sleep 1000
    assert_success
    run_docker "$c" run --rm --volumes-from dsrc:ro busybox sh -c 'cat /data/f; touch /anon/x'
    assert_failure
    assert_match "$output" "one"
    assert_match "$output" "Read-only file system"
    local anon
    anon="$(b inspect -f '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' dsrc)"
    run_docker "$c" rm -f -v dsrc
    assert_success
    run_docker "$c" volume ls -q
    assert_eq "$output" "dkdata"  # the anonymous one went with rm -v
    [[ -n "$anon" ]] || fail "no anonymous volume"
    run_docker "$c" volume rm dkdata
    assert_success
  done
}
