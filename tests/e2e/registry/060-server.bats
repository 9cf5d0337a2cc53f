#!/usr/bin/env bats
# The berth-registry server: TLS, the config file and flags, the access log,
# clean shutdown on SIGTERM/SIGINT, refusals of bad command lines.

load helpers

# run_reg ARGS...: bats `run` of berth-registry with a deadline, so a
# regression that makes a refused command line serve fails instead of hanging.
run_reg() {
  run timeout -k 5 20 "$BERTH_REGISTRY" "$@"
}

@test "TLS: HTTPS with --tls-cert/--tls-key, https token realm; plain HTTP off loopback refused" {
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$TESTDIR/key.pem" -out "$TESTDIR/cert.pem" 2>/dev/null
  reg user add alice --password alice-pw >/dev/null
  start_registry --tls-cert "$TESTDIR/cert.pem" --tls-key "$TESTDIR/key.pem"
  run curl -s --cacert "$TESTDIR/cert.pem" -o /dev/null -w '%{http_code}' -u alice:alice-pw "https://$REG/v2/"
  assert_eq "$output" 200 "https ping"
  run curl -s --cacert "$TESTDIR/cert.pem" -D - -o /dev/null "https://$REG/v2/"
  assert_match "$output" "realm=\"https://$REG/token\""
  run curl -s -o /dev/null "http://$REG/v2/"
  assert_failure "plain HTTP to a TLS listener"
  run_reg --root "$ROOT" --addr 0.0.0.0:0
  assert_failure
  assert_match "$output" "refusing plain HTTP on 0.0.0.0"
  run_reg --root "$ROOT" --tls-cert "$TESTDIR/cert.pem"
  assert_failure
  assert_match "$output" "go together"
  run_reg --root "$ROOT" --addr 127.0.0.1:0 --tls-cert /nonexistent --tls-key /nonexistent
  assert_failure
  assert_match "$output" "/nonexistent"
  # a real client over TLS (last: without skopeo the rest is not skipped)
  require_tool skopeo
  test_image "$TESTDIR/img.tar" --format docker
  run skopeo copy --dest-tls-verify=false --dest-creds alice:alice-pw \
    "docker-archive:$TESTDIR/img.tar" "docker://$REG/alice/img:1"
  assert_success "skopeo push over TLS"
}

@test "config file with flags overriding it; access log to a file; SIGTERM and SIGINT stop cleanly" {
  cat >"$TESTDIR/config.json" <<JSON
{"root": "$TESTDIR/from-config", "addr": "127.0.0.1:1", "access-log": "$TESTDIR/access.log",
 "upload-timeout": "10m", "service": "my-registry"}
JSON
  "$BERTH_REGISTRY" --config "$TESTDIR/config.json" --addr 127.0.0.1:0 --addr-file "$TESTDIR/addr" \
    </dev/null >"$TESTDIR/registry.log" 2>&1 3>&- &
  local pid=$!
  _PIDS+=("$pid")
  wait_for 20 test -s "$TESTDIR/addr" || fail "did not start: $(cat "$TESTDIR/registry.log")"
  REG="$(cat "$TESTDIR/addr")"
  api GET /v2/ >/dev/null
  assert_eq "$CODE" 200
  api GET /v2/x/tags/list >/dev/null
  assert_eq "$CODE" 404
  [[ -d "$TESTDIR/from-config/blobs/sha256" ]] || fail "root from the config file not used"
  wait_for 5 grep -qE '^[0-9TZ:-]+ 127.0.0.1:[0-9]+ - "GET /v2/x/tags/list" 404 ' "$TESTDIR/access.log" || fail "access log: $(cat "$TESTDIR/access.log")"
  kill -TERM "$pid"
  wait_for 15 pid_gone "$pid" || fail "SIGTERM did not stop the registry"
  wait "$pid" || fail "exit status $? after SIGTERM, expected 0"
  grep -q "stopped" "$TESTDIR/registry.log" || fail "no clean stop: $(cat "$TESTDIR/registry.log")"
  # the same with SIGINT
  start_registry
  kill -INT "$REG_PID"
  wait_for 15 pid_gone "$REG_PID" || fail "SIGINT did not stop the registry"
  # a config naming a missing file, or not an object
  run_reg --root "$ROOT" --config "$TESTDIR/missing.json"
  assert_failure
  assert_match "$output" "missing.json"
  echo '["not an object"]' >"$TESTDIR/bad.json"
  run_reg --root "$ROOT" --config "$TESTDIR/bad.json"
  assert_failure
  assert_match "$output" "not a JSON object"
}

@test "bad command lines: clear errors, exit status 2, no hang" {
  run_reg --root "$ROOT" frobnicate
  assert_status 2
  assert_match "$output" 'unknown command "frobnicate"'
  run_reg --root "$ROOT" --upload-timeout soon
  assert_status 2
  run_reg --root "$ROOT" --addr
  assert_status 2
  assert_match "$output" "needs a value"
  run_reg --root "$ROOT" user
  assert_status 2
  run_reg --root "$ROOT" user add alice --password a --password-stdin
  assert_status 2
  run_reg --root "$ROOT" repo set nosuch/repo --private
  assert_failure
  assert_match "$output" "no such repository"
  run_reg --root "$ROOT" repo set alice/x
  assert_status 2
  run_reg --root "$ROOT" --addr 127.0.0.1:99999
  assert_status 1
  assert_match "$output" "bad port"
  run_reg --root "$ROOT" --help
  assert_success
  assert_match "$output" "user add NAME"
}
