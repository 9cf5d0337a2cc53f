#!/usr/bin/env bats
# berth login / logout and authenticated push and pull against
# docker-registry with htpasswd (bcrypt) users on loopback.

load helpers

setup_file() {
  dt_setup_file
  htpasswd -Bbc "$CTDIR/htpasswd" alice alicepw >/dev/null
  start_registry authreg "$CTDIR/htpasswd"
  echo "$REG" >"$CTDIR/reg.addr"
}

teardown_file() { dt_teardown_file; }

setup() { REG="$(cat "$CTDIR/reg.addr")"; }
teardown() { ct_teardown; }

@test "push without login is refused as docker refuses it" {
  b tag busybox "$REG/alice/bb:1"
  run_berth push "$REG/alice/bb:1"
  assert_status 1
  assert_match "$output" "no basic auth credentials"
}

@test "a wrong password fails with docker's message and exit code; nothing stored" {
  run_berth login -u alice -p wrong "$REG"
  assert_status 1
  assert_match "$output" "Error response from daemon: login attempt to http://$REG/v2/ failed with status: 401 Unauthorized"
  [[ ! -e "$DOCKER_CONFIG/config.json" ]] || ! grep -q "$REG" "$DOCKER_CONFIG/config.json"
}

@test "login --password-stdin stores base64 credentials 0600; push and pull; logout" {
  run_cmd bash -c "echo alicepw | '$BERTH' -H '$HOST' login -u alice --password-stdin '$REG'"
  assert_success
  assert_match "$output" "Login Succeeded"
  assert_eq "$(stat -c %a "$DOCKER_CONFIG/config.json")" 600 "config.json mode"
  assert_eq "$(jq -r --arg r "$REG" '.auths[$r].auth' "$DOCKER_CONFIG/config.json" | base64 -d)" "alice:alicepw"
  b tag busybox "$REG/alice/bb:1"
  run_berth push "$REG/alice/bb:1"
  assert_success
  b rmi "$REG/alice/bb:1" >/dev/null
  run_berth pull "$REG/alice/bb:1"
  assert_success
  run_berth logout "$REG"
  assert_success
  assert_eq "$output" "Removing login credentials for $REG"
  # docker 20.10 and 28 say the same when nothing is stored.
  run_berth logout "$REG"
  assert_eq "$output" "Removing login credentials for $REG"
  run_berth pull "$REG/alice/bb:1"
  assert_status 1
}

@test "login -p warns; login with -u and no password off a terminal fails" {
  run_berth login -u alice -p alicepw "$REG"
  assert_success
  assert_match "$output" "WARNING! Using --password via the CLI is insecure"
  run_cmd bash -c "'$BERTH' -H '$HOST' login -u alice '$REG' </dev/null"
  assert_failure
  assert_match "$output" "Cannot perform an interactive login from a non TTY device"
  b logout "$REG" >/dev/null
}
