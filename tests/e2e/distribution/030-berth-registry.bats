#!/usr/bin/env bats
# berth against berth-registry: Docker's token flow (Bearer with scopes),
# the namespace rule (alice pushes only alice/...), private repositories,
# search with filters and formats.

load helpers

setup_file() {
  require_tool "$BERTH_REGISTRY" "berth-registry: ninja berth-registry"
  dt_setup_file
  start_berth_registry breg
  echo "$REG" >"$CTDIR/breg.addr"
  reg_cmd breg user add alice --password alicepw >/dev/null
  reg_cmd breg user add bob --password bobpw >/dev/null
}

teardown_file() { dt_teardown_file; }

setup() { REG="$(cat "$CTDIR/breg.addr")"; }
teardown() { ct_teardown; }

@test "token flow: login, push under own namespace, pull back the same image" {
  local id
  id="$(image_id busybox)"
  run_berth login -u alice -p alicepw "$REG"
  assert_success
  assert_match "$output" "Login Succeeded"
  b tag busybox "$REG/alice/app:1"
  run_berth push "$REG/alice/app:1"
  assert_success
  assert_match "$output" "1: digest: sha256:"
  b rmi "$REG/alice/app:1" busybox >/dev/null
  run_berth pull "$REG/alice/app:1"
  b tag "$REG/alice/app:1" busybox
  assert_success
  assert_match "$output" "Pull complete"
  assert_eq "$(image_id "$REG/alice/app:1")" "$id"
}

@test "namespaces: alice cannot push to bob/x; anonymous pulls public only" {
  b login -u alice -p alicepw "$REG" >/dev/null
  b tag busybox "$REG/bob/x:1"
  run_berth push "$REG/bob/x:1"
  assert_status 1
  assert_match "$output" "denied|unauthorized"
  b logout "$REG" >/dev/null
  b rmi "$REG/alice/app:1" >/dev/null 2>&1 || true
  run_berth pull "$REG/alice/app:1"
  assert_success "anonymous pull of a public repository"
  reg_cmd breg repo set alice/app --private
  b rmi "$REG/alice/app:1" >/dev/null
  run_berth pull "$REG/alice/app:1"
  assert_status 1
  assert_match "$output" "pull access denied for $REG/alice/app"
  b login -u alice -p alicepw "$REG" >/dev/null
  run_berth pull "$REG/alice/app:1"
  assert_success "owner pulls the private repository"
  reg_cmd breg repo set alice/app --public
}

@test "run of a private image pulls it with the stored login" {
  b login -u alice -p alicepw "$REG" >/dev/null
  b tag busybox "$REG/alice/priv"
  b push "$REG/alice/priv" >/dev/null
  reg_cmd breg repo set alice/priv --private
  b rmi "$REG/alice/priv" >/dev/null
  run_berth run --rm "$REG/alice/priv" echo private-ok
  assert_success
  assert_eq "${lines[-1]}" "private-ok"
  # Without the login the same run is refused.
  b rmi "$REG/alice/priv" >/dev/null
  b logout "$REG" >/dev/null
  run_berth run --rm "$REG/alice/priv" echo private-ok
  assert_status 125
  assert_match "${lines[0]}" "^Unable to find image '$REG/alice/priv:latest' locally$"
  assert_match "$output" "Error response from daemon: pull access denied for $REG/alice/priv, repository does not exist or may require 'docker login'"
  assert_match "${lines[-1]}" "^See 'berth run --help'.$"
}

@test "wrong password: docker's message, exit 1" {
  run_berth login -u alice -p nope "$REG"
  assert_status 1
  # -p prints docker's warning first; the error is the last line.
  assert_match "${lines[-1]}" "^Error response from daemon: "
  assert_match "$output" "unauthorized|401"
}

@test "search: table, --no-trunc, --limit, --filter, --format" {
  b login -u alice -p alicepw "$REG" >/dev/null
  reg_cmd breg repo set alice/app --description "alice's application, with a description longer than forty-five characters"
  run_berth search "$REG/alice"
  assert_success
  assert_match "${lines[0]}" "^NAME +DESCRIPTION +STARS +OFFICIAL +AUTOMATED"
  assert_match "$output" "alice/app +alice's application, with a description long…"
  run_berth search --no-trunc "$REG/alice"
  assert_match "$output" "longer than forty-five characters"
  run_berth search --format '{{.Name}}|{{.StarCount}}|{{.IsOfficial}}' "$REG/app"
  assert_success
  assert_match "$output" "alice/app\|0\|"
  run_berth search --filter is-official=true "$REG/alice"
  assert_success
  assert_eq "${#lines[@]}" 1 "only the header"
  run_berth search --limit 101 "$REG/alice"
  assert_status 1
  assert_match "$output" "Limit 101 is outside the range of \[1, 100\]"
}
