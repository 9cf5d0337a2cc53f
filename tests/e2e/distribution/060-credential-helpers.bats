#!/usr/bin/env bats
# Credential helpers, as docker uses them: "credsStore" and "credHelpers" in
# config.json send login's secret to docker-credential-NAME (store), push
# and pull get it back from there (get), logout erases it (erase); the file
# keeps only an empty "auths" entry. The helper here is a shell script
# (docker-credential-fake) keeping its secrets under $CTDIR/bin/store.

load helpers

setup_file() {
  require_tool "$BERTH_REGISTRY" "berth-registry: ninja berth-registry" || return 1
  dt_setup_file
  start_berth_registry breg
  echo "$REG" >"$CTDIR/breg.addr"
  reg_cmd breg user add alice --password alicepw >/dev/null
  mkdir -p "$CTDIR/bin" "$DOCKER_CONFIG"
  cp "$DT_DIR/docker-credential-fake" "$CTDIR/bin/"
}

teardown_file() { dt_teardown_file; }

setup() {
  REG="$(cat "$CTDIR/breg.addr")"
  export PATH="$CTDIR/bin:$PATH"
  rm -rf "$CTDIR/bin/store" "$CTDIR/bin/calls" "$DOCKER_CONFIG/config.json"
}
teardown() { ct_teardown; }

cfg() { cat "$DOCKER_CONFIG/config.json"; }
jq_cfg() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(eval(sys.argv[2])))" "$DOCKER_CONFIG/config.json" "$1"; }

@test "credsStore: login stores in the helper, push gets from it, logout erases; no secret in the file" {
  echo '{"credsStore": "fake"}' >"$DOCKER_CONFIG/config.json"
  run timeout 60 "$BERTH" -H "$HOST" login -u alice --password-stdin "$REG" <<<"alicepw"
  assert_success
  assert_eq "$output" "Login Succeeded" "no plain-text warning with a helper"
  assert_eq "$(jq_cfg 'd["auths"]')" "{\"$REG\": {}}" "config.json auths"
  assert_eq "$(jq_cfg 'd["credsStore"]')" '"fake"'
  grep -q '"Secret":"alicepw"' "$CTDIR/bin/store/${REG//:/_}" || fail "secret not in the helper"
  assert_no_match "$(cfg)" "alicepw"
  b tag busybox "$REG/alice/helped:1"
  run_berth push "$REG/alice/helped:1"
  assert_success
  assert_match "$(cat "$CTDIR/bin/calls")" "get $REG"
  run_berth logout "$REG"
  assert_success
  assert_eq "$output" "Removing login credentials for $REG"
  assert_match "$(cat "$CTDIR/bin/calls")" "erase $REG"
  [[ ! -e "$CTDIR/bin/store/${REG//:/_}" ]] || fail "secret left in the helper"
  assert_eq "$(jq_cfg 'd.get("auths", {})')" "{}"
  run_berth push "$REG/alice/helped:1"
  assert_failure
}

@test "credHelpers for one registry wins over credsStore; a missing helper is a clear error" {
  echo "{\"credsStore\": \"nosuch\", \"credHelpers\": {\"$REG\": \"fake\"}}" >"$DOCKER_CONFIG/config.json"
  run timeout 60 "$BERTH" -H "$HOST" login -u alice --password-stdin "$REG" <<<"alicepw"
  assert_success
  assert_match "$(cat "$CTDIR/bin/calls")" "store $REG"
  b tag busybox "$REG/alice/helped:2"
  run_berth push "$REG/alice/helped:2"
  assert_success
  # Another registry goes to credsStore, whose helper does not exist.
  run timeout 60 "$BERTH" -H "$HOST" login -u alice --password-stdin "localhost:${REG##*:}" <<<"alicepw"
  assert_status 1
  assert_match "$output" 'Error saving credentials: error storing credentials - err: exec: "docker-credential-nosuch": executable file not found in \$PATH'
}

@test "docker's CLI and berth share the helper: docker logs in, berth pushes, berth logs out" {
  echo '{"credsStore": "fake"}' >"$DOCKER_CONFIG/config.json"
  run timeout 60 /usr/bin/docker -H "$HOST" login -u alice --password-stdin "$REG" <<<"alicepw"
  assert_success
  assert_match "$output" "Login Succeeded"
  assert_eq "$(jq_cfg 'd["auths"]')" "{\"$REG\": {}}" "docker leaves the same empty entry"
  b tag busybox "$REG/alice/helped:3"
  run_berth push "$REG/alice/helped:3"
  assert_success
  run_berth logout "$REG"
  assert_success
  assert_match "$(cat "$CTDIR/bin/calls")" "erase $REG"
  [[ ! -e "$CTDIR/bin/store/${REG//:/_}" ]] || fail "secret left in the helper"
  assert_eq "$(jq_cfg 'd.get("auths", {})')" "{}" "auths after berth's logout"
}
