#!/usr/bin/env bats
# Containers register their exposed and published ports in the catalog on
# start and leave it on stop and rm; berthd reconciles at start.

load helpers

setup_file() {
  disc_setup_file
  "$SCRIPTS_DIR/make-busybox-image" --host "$HOST" --berth "$BERTH" busybox:latest >&2
}
teardown_file() { disc_teardown_file; }
setup() { disc_setup; }
teardown() { ct_teardown; }

@test "run -d registers each exposed port; stop and rm deregister" {
  b run -d --name web1 --expose 80 --expose 443 -e SERVICE_TAGS=blue -e SERVICE_VERSION=3 \
    busybox sleep 300 >/dev/null
  wait_for 10 catalog_has busybox-80 1 || fail "busybox-80 not registered: $output"
  catalog_has busybox-443 1 || fail "busybox-443 not registered"
  c GET /v1/catalog/service/busybox-80
  assert_eq "$(jq -r '.[0].ServiceID' <<<"$output")" berth:web1:80
  assert_eq "$(jq -c '.[0].ServiceTags' <<<"$output")" '["blue"]'
  assert_eq "$(jq -r '.[0].ServiceMeta.version' <<<"$output")" 3
  b stop -t 1 web1 >/dev/null
  wait_for 10 catalog_has busybox-80 0 || fail "still registered after stop"
  b start web1 >/dev/null
  wait_for 10 catalog_has busybox-80 1 || fail "not registered again after start"
  b rm -f web1 >/dev/null
  wait_for 10 catalog_has busybox-80 0 || fail "still registered after rm"
}

@test "SERVICE_NAME, berth.service.name label and SERVICE_IGNORE" {
  # The ignored container starts first: registration is asynchronous but in
  # order, so once api and front (started after it) are registered, ctr-i
  # has been processed too and its absence means something.
  b run -d --name ctr-i --expose 7000 -e SERVICE_IGNORE=1 busybox sleep 300 >/dev/null
  b run -d --name ctr-a --expose 8080 -e SERVICE_NAME=api busybox sleep 300 >/dev/null
  b run -d --name ctr-l --expose 9000 --label berth.service.name=front busybox sleep 300 >/dev/null
  wait_for 10 catalog_has api 1 || fail "api not registered"
  wait_for 10 catalog_has front 1 || fail "front not registered"
  c GET /v1/catalog/services
  assert_eq "$(jq -c '[keys[] | select(startswith("busybox"))]' <<<"$output")" '[]' \
    "services of the ignored container"
  c GET /v1/agent/services
  assert_eq "$(jq -c '[.[] | select(.ID | startswith("berth:ctr-i:"))]' <<<"$output")" '[]' \
    "agent services of ctr-i"
}

@test "after berthd is killed, a restart removes ghosts and registers what runs" {
  b run -d --name keep --expose 80 -e SERVICE_NAME=keep busybox sleep 300 >/dev/null
  b run -d --name gone --expose 80 -e SERVICE_NAME=gone busybox sleep 300 >/dev/null
  wait_for 10 catalog_has gone 1 || fail "gone not registered"
  local pid
  pid="$(b inspect --format '{{.State.Pid}}' gone)"
  kill -KILL "$BERTHD_PID"
  wait_for 20 pid_gone "$BERTHD_PID"
  # The container dies while berthd is down.
  kill -KILL "$pid"
  wait_for 10 pid_gone "$pid"
  disc_start
  wait_for 10 catalog_has gone 0 || fail "ghost left"
  catalog_has keep 1 || fail "keep missing after restart"
}

@test "a container's CONSUL_HTTP_TOKEN owns its instances and containers/<name>/ keys" {
  b run -d --name own1 --expose 80 -e SERVICE_NAME=own1 -e CONSUL_HTTP_TOKEN=tok-own1 busybox sleep 300 >/dev/null
  b run -d --name own2 --expose 80 -e SERVICE_NAME=own2 -e CONSUL_HTTP_TOKEN=tok-own2 busybox sleep 300 >/dev/null
  wait_for 10 catalog_has own1 1 || fail "own1 not registered"
  wait_for 10 catalog_has own2 1 || fail "own2 not registered"
  c PUT /v1/kv/containers/own1/state -d up -H 'X-Consul-Token: tok-own1'
  assert_code 200
  c PUT /v1/kv/containers/own2/state -d up -H 'X-Consul-Token: tok-own1'
  assert_code 403
  c PUT '/v1/agent/service/deregister/berth:own2:80?token=tok-own1'
  assert_code 403
  c PUT /v1/agent/service/deregister/berth:own1:80 -H 'X-Consul-Token: tok-own1'
  assert_code 200
  catalog_has own2 1 || fail "own2 was removed by another container's token"
}
