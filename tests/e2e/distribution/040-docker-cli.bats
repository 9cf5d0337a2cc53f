#!/usr/bin/env bats
# The real docker CLIs (Debian's 20.10 /usr/bin/docker and the 28.x client)
# pull, push, log in and search through berthd.

load helpers
load ../lib/docker_cli

setup_file() {
  need_docker_clients || return 1
  require_tool htpasswd "apache2-utils" || return 1
  dt_setup_file
  htpasswd -Bbc "$CTDIR/htpasswd" alice alicepw >/dev/null
  start_registry dreg "$CTDIR/htpasswd"
  echo "$REG" >"$CTDIR/dreg.addr"
}

teardown_file() { dt_teardown_file; }

setup() { REG="$(cat "$CTDIR/dreg.addr")"; }
teardown() { ct_teardown; }

# run_docker CLI ARGS...: ../lib/docker_cli.bash (logins go to this file's
# DOCKER_CONFIG, never ~/.docker).

@test "docker 20.10 and 28: login, push, pull through berthd" {
  local cli n=0 id
  id="$(image_id busybox)"
  for cli in $(clients); do
    n=$((n + 1))
    run_docker "$cli" login -u alice -p wrong "$REG"
    assert_status 1
    assert_match "$output" "login attempt to http://$REG/v2/ failed with status: 401 Unauthorized"
    run_docker "$cli" login -u alice -p alicepw "$REG"
    assert_success
    assert_match "$output" "Login Succeeded"
    b tag busybox "$REG/alice/d$n:1"
    run_docker "$cli" push "$REG/alice/d$n:1"
    assert_success
    assert_match "$output" "1: digest: sha256:[0-9a-f]{64} size: [0-9]+"
    b rmi "$REG/alice/d$n:1" >/dev/null
    run_docker "$cli" pull "$REG/alice/d$n:1"
    assert_success
    assert_match "$output" "Status: (Downloaded newer image|Image is up to date) for $REG/alice/d$n:1"
    assert_eq "$(image_id "$REG/alice/d$n:1")" "$id"
    run_docker "$cli" pull "$REG/alice/d$n:nope"
    assert_status 1
    assert_match "$output" "manifest for $REG/alice/d$n:nope not found: manifest unknown"
    run_docker "$cli" logout "$REG"
    assert_success
  done
}
