#!/usr/bin/env bats
# Containers reach the discovery API on their bridge gateway: berthd injects
# CONSUL_HTTP_ADDR and a per-container CONSUL_HTTP_TOKEN (unless set); a
# container reads and writes keys under containers/<name>/ and registers
# services through it (busybox wget). Registration records the bridge
# address and the published host port; HEALTHCHECK is the check; --config-env
# injects config/ values with their precedence.

load helpers

setup_file() {
  disc_setup_file
  "$SCRIPTS_DIR/make-busybox-image" --host "$HOST" --berth "$BERTH" busybox:latest >&2
}
teardown_file() { disc_teardown_file; }
setup() { disc_setup; }
teardown() { ct_teardown; }

@test "CONSUL_HTTP_ADDR is the gateway's listener and each container has its own token" {
  run_berth run --rm busybox sh -c 'echo "$CONSUL_HTTP_ADDR $CONSUL_HTTP_TOKEN"'
  [[ "$status" == 0 ]] || fail "run failed"
  local addr tok1 tok2
  read -r addr tok1 <<<"$output"
  assert_match "$addr" "^$SUBNET_PREFIX\.1:[0-9]+\$"
  assert_match "$tok1" '^[0-9a-f]{40}$'
  assert_eq "$(cat "$EXEC/discovery.gateways")" "$SUBNET_PREFIX.1 ${addr##*:}"
  tok2="$(b run --rm busybox sh -c 'echo $CONSUL_HTTP_TOKEN')"
  [[ "$tok1" != "$tok2" ]] || fail "two containers got the same token"
  # What the user sets stays; exec sees the injected ones too.
  assert_eq "$(b run --rm -e CONSUL_HTTP_ADDR=elsewhere:1 -e CONSUL_HTTP_TOKEN=mine busybox \
    sh -c 'echo $CONSUL_HTTP_ADDR $CONSUL_HTTP_TOKEN')" "elsewhere:1 mine"
  b run -d --name ex1 busybox sleep 300 >/dev/null
  assert_match "$(b exec ex1 sh -c 'echo $CONSUL_HTTP_ADDR')" "^$SUBNET_PREFIX\.1:"
  # The host listener is not the containers' (that one is on the gateway only).
  [[ "$CONSUL" != "$addr" ]]
}

@test "a container writes and reads its keys through the gateway; others' are refused" {
  b run -d --name kvw busybox sleep 300 >/dev/null
  # PUT (busybox wget POSTs; the KV endpoint takes POST as PUT), then GET.
  run_berth exec kvw sh -c 'wget -q -O - --post-data hello "http://$CONSUL_HTTP_ADDR/v1/kv/containers/kvw/greeting?token=$CONSUL_HTTP_TOKEN"'
  [[ "$status" == 0 && "$output" == true ]] || fail "own key not written"
  run_berth exec kvw sh -c 'wget -q -O - "http://$CONSUL_HTTP_ADDR/v1/kv/containers/kvw/greeting?raw"'
  assert_eq "$output" hello
  c GET '/v1/kv/containers/kvw/greeting?raw'
  assert_eq "$output" hello
  # Another container's prefix, a config key, or no token: 403.
  run_berth exec kvw sh -c 'wget -q -O - --post-data x "http://$CONSUL_HTTP_ADDR/v1/kv/containers/other/k?token=$CONSUL_HTTP_TOKEN" 2>&1'
  [[ "$status" != 0 && "$output" == *403* ]] || fail "another container's key was writable"
  run_berth exec kvw sh -c 'wget -q -O - --post-data x "http://$CONSUL_HTTP_ADDR/v1/kv/containers/kvw/anon" 2>&1'
  [[ "$status" != 0 && "$output" == *403* ]] || fail "anonymous write accepted"
  c GET /v1/kv/containers/other/k
  assert_code 404
}

@test "a container registers a service through the gateway (its address by default)" {
  b run -d --name selfreg busybox sleep 300 >/dev/null
  local ip
  ip="$(b inspect -f '{{.NetworkSettings.IPAddress}}' selfreg)"
  run_berth exec selfreg sh -c 'wget -q -O - --post-data "{\"Name\":\"selfsvc\",\"ID\":\"selfsvc-1\",\"Port\":8080,\"Tags\":[\"v1\"]}" "http://$CONSUL_HTTP_ADDR/v1/agent/service/register?token=$CONSUL_HTTP_TOKEN"'
  [[ "$status" == 0 ]] || fail "register failed"
  c GET /v1/catalog/service/selfsvc
  assert_eq "$(jq -r '.[0].ServiceAddress + ":" + (.[0].ServicePort|tostring)' <<<"$output")" "$ip:8080"
  # Another container cannot deregister it; its owner can.
  b run -d --name thief busybox sleep 300 >/dev/null
  run_berth exec thief sh -c 'wget -q -O - "http://$CONSUL_HTTP_ADDR/v1/agent/service/deregister/selfsvc-1?token=$CONSUL_HTTP_TOKEN" 2>&1'
  [[ "$status" != 0 && "$output" == *403* ]] || fail "another container deregistered it"
  catalog_has selfsvc 1 || fail "selfsvc gone"
  run_berth exec selfreg sh -c 'wget -q -O - "http://$CONSUL_HTTP_ADDR/v1/agent/service/deregister/selfsvc-1?token=$CONSUL_HTTP_TOKEN"'
  [[ "$status" == 0 ]] || fail "owner could not deregister"
  catalog_has selfsvc 0 || fail "selfsvc still there"
}

@test "registration: bridge address as Address, the published host port in Meta" {
  b run -d --name pub -p 127.0.0.1::80 -e SERVICE_NAME=pubsvc busybox sleep 300 >/dev/null
  wait_for 10 catalog_has pubsvc 1 || fail "pubsvc not registered"
  local ip hport
  ip="$(b inspect -f '{{.NetworkSettings.IPAddress}}' pub)"
  hport="$(b port pub 80/tcp | head -1)"
  hport="${hport##*:}"
  c GET /v1/catalog/service/pubsvc
  assert_eq "$(jq -r '.[0].ServiceAddress' <<<"$output")" "$ip"
  assert_eq "$(jq -r '.[0].ServicePort' <<<"$output")" 80
  assert_eq "$(jq -r '.[0].ServiceMeta.berth_host_address' <<<"$output")" 127.0.0.1
  assert_eq "$(jq -r '.[0].ServiceMeta.berth_host_port' <<<"$output")" "$hport"
}

@test "HEALTHCHECK status is the check status; ?passing filters on it" {
  b run -d --name hc1 --expose 80 -e SERVICE_NAME=hcsvc --health-cmd 'test -f /tmp/ok' \
    --health-interval 1s --health-retries 1 --health-timeout 2s busybox sleep 300 >/dev/null
  wait_for 10 catalog_has hcsvc 1 || fail "hcsvc not registered"
  passing_has hcsvc 0 || fail "passing before the health check passed"
  b exec hc1 touch /tmp/ok
  wait_for 15 passing_has hcsvc 1 || fail "not passing once healthy"
  c GET /v1/health/service/hcsvc
  assert_eq "$(jq -r '.[0].Checks[] | select(.CheckID | startswith("berth:health:")) | .Status' <<<"$output")" passing
  b exec hc1 rm /tmp/ok
  wait_for 15 passing_has hcsvc 0 || fail "still passing once unhealthy"
}

@test "--config-env: global < service < instance < the container's own -e" {
  c PUT /v1/kv/config/global/LEVEL -d global
  c PUT /v1/kv/config/global/REGION -d eu
  c PUT /v1/kv/config/cfgsvc/LEVEL -d service
  c PUT /v1/kv/config/cfgsvc/PORT -d 8080
  c PUT /v1/kv/config/cfgsvc/cfg1/PORT -d 9090
  c PUT /v1/kv/config/cfgsvc/cfg1/MINE -d fromconfig
  c PUT /v1/kv/config/othersvc/LEVEL -d other
  run_berth run --rm --name cfg1 --config-env -e SERVICE_NAME=cfgsvc -e MINE=fromuser busybox \
    sh -c 'echo "$LEVEL $REGION $PORT $MINE"'
  assert_eq "$output" "service eu 9090 fromuser"
  run_berth run --rm --name cfg2 --label berth.config-env=true -e SERVICE_NAME=cfgsvc busybox \
    sh -c 'echo "$LEVEL $REGION $PORT $MINE"'
  assert_eq "$output" "service eu 8080 "
  # Without the flag: nothing injected.
  run_berth run --rm -e SERVICE_NAME=cfgsvc busybox sh -c 'echo "[$LEVEL]"'
  assert_eq "$output" "[]"
  # Values are read at each start.
  b create --name cfg3 --config-env -e SERVICE_NAME=cfgsvc busybox sh -c 'echo $LEVEL' >/dev/null
  c PUT /v1/kv/config/cfgsvc/LEVEL -d changed
  b start -a cfg3 >"$CTDIR/cfg3.out"
  assert_eq "$(cat "$CTDIR/cfg3.out")" changed
}

@test "berth kv get|put|rm|ls|watch and service ls|inspect" {
  run_berth kv put app/color blue
  assert_eq "$output" "Success! Data written to: app/color"
  echo -n green | b kv put app/size - >/dev/null
  assert_eq "$(b kv get app/size)" green
  c GET '/v1/kv/app/color?raw'
  assert_eq "$output" blue
  run_berth kv get app/missing
  [[ "$status" == 1 && "$output" == *"No key exists at: app/missing"* ]] || fail "missing key"
  run_berth kv get -r app/
  assert_eq "$output" $'app/color:blue\napp/size:green'
  run_berth kv ls app/
  assert_match "${lines[0]}" '^KEY +VALUE +FLAGS +MODIFIED$'
  assert_match "${lines[1]}" '^app/color +blue +0 +[0-9]+$'
  assert_eq "$(b kv ls -q app/)" $'app/color\napp/size'
  assert_eq "$(b kv ls --format '{{.Key}}={{.Value}}' app/)" $'app/color=blue\napp/size=green'
  # watch: prints the value now, then each change (--count ends it).
  b kv watch --count 2 app/color >"$CTDIR/watch.out" &
  local wpid=$!
  wait_for 10 grep -q 'app/color=blue' "$CTDIR/watch.out" || fail "watch printed nothing"
  b kv put app/other x >/dev/null   # another key: no output
  b kv put app/color red >/dev/null
  wait_for 10 grep -q 'app/color=red' "$CTDIR/watch.out" || fail "watch missed red"
  b kv rm app/color >/dev/null
  wait_for 10 pid_gone "$wpid" || { kill "$wpid"; fail "watch did not end"; }
  assert_eq "$(cat "$CTDIR/watch.out")" $'app/color=blue\napp/color=red\n# app/color: no key'
  run_berth kv rm -r app/
  assert_eq "$output" "Success! Deleted keys with prefix: app/"
  assert_eq "$(b kv ls -q app/)" ""

  b run -d --name sv1 --expose 80 -e SERVICE_NAME=svls -e SERVICE_TAGS=a,b busybox sleep 300 >/dev/null
  b run -d --name sv2 --expose 80 -e SERVICE_NAME=svls busybox sleep 300 >/dev/null
  wait_for 10 catalog_has svls 2 || fail "svls not registered"
  run_berth service ls
  assert_match "${lines[0]}" '^NAME +INSTANCES +PASSING +TAGS$'
  assert_match "$(grep '^svls ' <<<"$output")" '^svls +2 +2 +a,b$'
  assert_eq "$(b service ls --format '{{.Name}} {{.Instances}}' | grep svls)" "svls 2"
  run_berth service inspect svls
  assert_eq "$(jq -r '.[0].Instances | map(.ID) | join(",")' <<<"$output")" "berth:sv1:80,berth:sv2:80"
  assert_eq "$(b service inspect -f '{{.Passing}}' svls)" 2
  run_berth service inspect nosuch
  [[ "$status" == 1 && "$output" == *"No such service: nosuch"* ]] || fail "missing service"
}

@test "a container on a user-defined network reaches the store on that network's gateway" {
  b network create discnet >/dev/null
  local gw
  gw="$(b network inspect discnet | jq -r '.[0].IPAM.Config[0].Gateway')"
  [[ -n "$gw" && "$gw" != "$SUBNET_PREFIX.1" ]] || fail "gateway $gw"
  b run -d --name unet --network discnet busybox sleep 300 >/dev/null
  assert_match "$(b exec unet sh -c 'echo $CONSUL_HTTP_ADDR')" "^${gw//./\\.}:[0-9]+\$"
  run_berth exec unet sh -c 'wget -q -O - --post-data v "http://$CONSUL_HTTP_ADDR/v1/kv/containers/unet/k?token=$CONSUL_HTTP_TOKEN"'
  [[ "$status" == 0 && "$output" == true ]] || fail "write through $gw failed: $output"
  c GET '/v1/kv/containers/unet/k?raw'
  assert_eq "$output" v
  grep -q "^$gw " "$EXEC/discovery.gateways" || fail "$gw not in discovery.gateways"
  b rm -f unet >/dev/null
  b network rm discnet >/dev/null
}
