#!/usr/bin/env bats
# The Consul-compatible discovery API of berthd, with curl and python3-consul.

load helpers

setup_file() { disc_setup_file; }
teardown_file() { disc_teardown_file; }
setup() { disc_setup; }

@test "kv: put, get JSON and raw, flags, 404 with an index, %2F in keys" {
  c PUT '/v1/kv/app/db%2Fhost?flags=42' -d 10.0.0.5
  assert_code 200
  assert_eq "$output" true
  c GET /v1/kv/app/db/host
  assert_code 200
  assert_eq "$(jq -r '.[0].Key' <<<"$output")" app/db/host
  assert_eq "$(jq -r '.[0].Value' <<<"$output" | base64 -d)" 10.0.0.5
  assert_eq "$(jq -r '.[0].Flags' <<<"$output")" 42
  [[ -n "$CONSUL_INDEX" ]] || fail "no X-Consul-Index"
  c GET '/v1/kv/app/db/host?raw'
  assert_eq "$output" 10.0.0.5
  c GET /v1/kv/app/none
  assert_code 404
  assert_eq "$output" ""
  [[ "$CONSUL_INDEX" -ge 1 ]] || fail "404 without X-Consul-Index"
}

@test "kv: recurse forms, keys with separator, delete recurse, cas" {
  for k in cfg/a cfg/b/c cfg/b/d; do c PUT "/v1/kv/$k" -d v; done
  for q in recurse recurse=1 recurse=true; do
    c GET "/v1/kv/cfg/?$q"
    assert_code 200
    assert_eq "$(jq length <<<"$output")" 3
  done
  c GET '/v1/kv/cfg/?keys&separator=/'
  assert_eq "$(jq -c . <<<"$output")" '["cfg/a","cfg/b/"]'
  c PUT '/v1/kv/cfg/a?cas=0' -d x
  assert_eq "$output" false
  c GET /v1/kv/cfg/a
  local mi
  mi="$(jq -r '.[0].ModifyIndex' <<<"$output")"
  c PUT "/v1/kv/cfg/a?cas=$((mi + 100))" -d x
  assert_eq "$output" false
  c PUT "/v1/kv/cfg/a?cas=$mi" -d x
  assert_eq "$output" true
  c DELETE '/v1/kv/cfg?recurse'
  assert_eq "$output" true
  c GET '/v1/kv/cfg/?recurse'
  assert_code 404
  c PUT '/v1/kv/x?cas=abc' -d x
  assert_code 400
}

@test "txn: all or nothing, 409 with the failing operation" {
  c PUT /v1/txn -d '[{"KV":{"Verb":"set","Key":"t/a","Value":"MQ=="}},{"KV":{"Verb":"get","Key":"t/a"}}]'
  assert_code 200
  assert_eq "$(jq -r '.Results[1].KV.Value' <<<"$output")" MQ==
  c PUT /v1/txn -d '[{"kv":{"verb":"set","key":"t/b","value":"Mg=="}},{"kv":{"verb":"check-not-exists","key":"t/a"}}]'
  assert_code 409
  assert_eq "$(jq -r '.Errors[0].OpIndex' <<<"$output")" 1
  c GET /v1/kv/t/b
  assert_code 404
  c PUT /v1/txn -d 'not json'
  assert_code 400
}

@test "blocking query: held until its prefix changes, not by unrelated writes" {
  c PUT /v1/kv/blk/a -d 1
  c GET '/v1/kv/blk/?recurse'
  local idx="$CONSUL_INDEX"
  curl -s -D "$CTDIR/bh" -o "$CTDIR/bbody" "http://$CONSUL/v1/kv/blk/?recurse&index=$idx&wait=30s" &
  local pid=$!
  c PUT /v1/kv/other -d 1
  c PUT /v1/kv/blkx -d 1
  # Still held after unrelated writes (it would have returned at once).
  ! wait_for 1 pid_gone "$pid" 2>/dev/null || fail "an unrelated write ended the blocking query"
  c PUT /v1/kv/blk/b -d 2
  wait_for 5 pid_gone "$pid" || fail "the blocking query did not return"
  wait "$pid" || true
  local new
  new="$(awk -F': ' 'tolower($1)=="x-consul-index" {gsub("\r",""); print $2}' "$CTDIR/bh")"
  [[ "$new" -gt "$idx" ]] || fail "index $new not above $idx"
  assert_eq "$(jq length "$CTDIR/bbody")" 2
}

@test "blocking query: ?wait ends it with the same index; bad wait is 400" {
  c PUT /v1/kv/quiet -d 1
  c GET /v1/kv/quiet
  local idx="$CONSUL_INDEX"
  # curl's own clock (whole-second $SECONDS could tick in 0.01 s)
  c GET "/v1/kv/quiet?index=$idx&wait=1s" -w '\n%{time_total}'
  assert_code 200
  assert_eq "$CONSUL_INDEX" "$idx"
  local took="${lines[-1]}"
  awk -v t="$took" 'BEGIN { exit !(t >= 0.99) }' || fail "returned after $took s, before the 1 s wait ended"
  c GET "/v1/kv/quiet?index=$idx&wait=soon"
  assert_code 400
}

@test "bad durations in ?wait and Check.TTL are a 400, and berthd stays up" {
  c PUT /v1/kv/still -d up
  # These used to throw out of the duration parser and end berthd.
  local w
  for w in abc .s 1..s 1.2.3s 99999999999999999999 99999999999999999999ms 9999999999h; do
    c GET "/v1/kv/still?index=1&wait=$w"
    assert_code 400
    assert_match "$output" "duration"
  done
  c PUT /v1/agent/service/register -d '{"Name":"bad","ID":"bad-1","Check":{"TTL":".s"}}'
  assert_code 400
  assert_match "$output" "Check.TTL"
  kill -0 "$BERTHD_PID" || fail "berthd died"
  c GET '/v1/kv/still?raw'
  assert_code 200
  assert_eq "$output" up
}

@test "agent, catalog and health: register (GET too), TTL checks, ?passing, deregister" {
  c PUT /v1/agent/service/register -d '{"name":"api","id":"api-1","port":8080,"address":"10.2.0.5","tags":["blue"],"check":{"ttl":"30s"}}'
  assert_code 200
  c GET /v1/agent/service/register -d '{"NAME":"api","ID":"api-2","PORT":8081,"META":{"zone":"a"}}'
  assert_code 200
  c GET /v1/catalog/services
  assert_eq "$(jq -c .api <<<"$output")" '["blue"]'
  c GET /v1/catalog/service/api
  assert_eq "$(jq length <<<"$output")" 2
  assert_eq "$(jq -r '.[1].ServiceMeta.zone' <<<"$output")" a
  c GET '/v1/health/service/api?passing'
  assert_eq "$(jq -r '[.[].Service.ID]|join(",")' <<<"$output")" api-2
  c PUT '/v1/agent/check/pass/service:api-1?note=ok'
  assert_code 200
  c GET '/v1/health/service/api?passing=true'
  assert_eq "$(jq length <<<"$output")" 2
  c GET /v1/agent/check/warn/service:api-1
  assert_code 200
  c GET '/v1/health/service/api?passing=1'
  assert_eq "$(jq length <<<"$output")" 1
  c GET /v1/agent/service/deregister/api-1
  assert_code 200
  c PUT /v1/agent/service/deregister/api-1
  assert_code 404
  c PUT /v1/agent/service/deregister/api-2
  c GET /v1/status/leader
  assert_code 200
  c PUT /v1/agent/service/register -d '{"port":1}'
  assert_code 400
}

@test "python3-consul: kv" {
  run_cmd "$PY" "$DISC_DIR/consul_client.py" "$CONSUL" kv
  assert_success
  assert_eq "$output" ok
}

@test "python3-consul: blocking query woken only by its prefix" {
  run_cmd "$PY" "$DISC_DIR/consul_client.py" "$CONSUL" blocking
  assert_success
  assert_eq "$output" ok
}

@test "python3-consul: register, TTL pass/fail, health passing, deregister" {
  run_cmd "$PY" "$DISC_DIR/consul_client.py" "$CONSUL" services
  assert_success
  assert_eq "$output" ok
}
