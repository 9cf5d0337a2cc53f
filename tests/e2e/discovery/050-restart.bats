#!/usr/bin/env bats
# The embedded store across berthd crashes: acknowledged writes, indexes,
# watches and TTL checks survive a kill -9.

load helpers

setup_file() { disc_setup_file; }
teardown_file() { disc_teardown_file; }
setup() { disc_setup; }

crash_and_restart() {
  kill -KILL "$BERTHD_PID"
  wait_for 20 pid_gone "$BERTHD_PID"
  disc_start
}

@test "kill -9: every acknowledged write is there after the restart" {
  local i
  for i in $(seq 1 150); do
    [[ "$(curl -s -X PUT -d "v$i" "http://$CONSUL/v1/kv/crash/k$i")" == true ]] || fail "put $i"
  done
  c DELETE /v1/kv/crash/k7
  crash_and_restart
  c GET '/v1/kv/crash/?keys'
  assert_code 200
  assert_eq "$(jq length <<<"$output")" 149
  c GET '/v1/kv/crash/k150?raw'
  assert_eq "$output" v150
  c GET /v1/kv/crash/k7
  assert_code 404
}

@test "a watcher holding an index from before the crash gets exactly the next change" {
  c PUT /v1/kv/w/k -d before
  c GET /v1/kv/w/k
  local idx="$CONSUL_INDEX"
  crash_and_restart
  curl -s -o "$CTDIR/wbody" -D "$CTDIR/wh" "http://$CONSUL/v1/kv/w/k?index=$idx&wait=30s" &
  local pid=$!
  c PUT /v1/kv/w/other -d x
  c PUT /v1/kv/w/k -d after
  wait_for 10 pid_gone "$pid" || fail "the watcher was not woken"
  wait "$pid" || true
  assert_eq "$(jq -r '.[0].Value' "$CTDIR/wbody" | base64 -d)" after
}

@test "TTL checks keep running across a crash" {
  c PUT /v1/agent/service/register -d '{"Name":"ttl","ID":"ttl-1","Check":{"TTL":"3s","Status":"passing"}}'
  assert_code 200
  c GET '/v1/health/service/ttl?passing'
  assert_eq "$(jq length <<<"$output")" 1
  crash_and_restart
  c GET /v1/health/service/ttl
  assert_eq "$(jq -r '.[0].Service.ID' <<<"$output")" ttl-1
  check_critical() {
    c GET /v1/health/service/ttl
    [[ "$(jq -r '.[0].Checks[0].Status' <<<"$output")" == critical ]]
  }
  wait_for 15 check_critical || fail "the TTL check did not expire after the restart"
  c PUT /v1/agent/check/pass/service:ttl-1
  c GET '/v1/health/service/ttl?passing'
  assert_eq "$(jq length <<<"$output")" 1
}

@test "a torn record at the end of the log is cut off at start" {
  c PUT /v1/kv/torn/a -d 1
  kill -KILL "$BERTHD_PID"
  wait_for 20 pid_gone "$BERTHD_PID"
  printf '{"i":999999,"ops":[{"op":"se' >>"$DATA/discovery/log.jsonl"
  disc_start
  c GET '/v1/kv/torn/a?raw'
  assert_eq "$output" 1
  grep -q "torn record" "$CTDIR/berthd.log" || fail "no warning about the torn record"
  c PUT /v1/kv/torn/b -d 2
  assert_eq "$output" true
}

@test "the default discovery address taken: berthd starts anyway and says why" {
  local port
  port="$(free_port)"
  "$PY" -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(); time.sleep(60)' "$port" &
  local holder=$!
  wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
  stop_berthd
  rm -f "$EXEC/discovery.addr"
  BERTHD_DISCOVERY_ADDR="127.0.0.1:$port" start_berthd
  kill "$holder" 2>/dev/null || true
  grep -q "discovery API not served on 127.0.0.1:$port" "$CTDIR/berthd.log" || fail "no warning"
  [[ ! -e "$EXEC/discovery.addr" ]] || fail "discovery.addr written without a listener"
  run_berth version
  assert_success
  stop_berthd
  disc_start
}
