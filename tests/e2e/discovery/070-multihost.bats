#!/usr/bin/env bats
# Several berthd on one etcd cluster (three members on loopback ports, two
# daemons with their own roots, bridges and subnets): a shared catalog and
# KV, a container on one host in the other's catalog, a dead member changes
# nothing, a dead daemon's services expire with its lease.

load helpers

member_pids=()

setup_file() {
  require_tool etcd "Debian's etcd-server"
  export CTDIR="$(mktemp -d /tmp/berth-ct-XXXXXX)"
  chmod 0755 "$CTDIR"
  unset BERTH_CONFIG
  export DOCKER_CONFIG="$CTDIR/dockercfg"
  export DATA="$CTDIR/a/data" EXEC="$CTDIR/a/exec"
  local i cluster="" ports=()
  for i in 1 2 3; do
    local c p
    c="$(free_port)"
    p="$(free_port)"
    echo "$c" >"$CTDIR/m$i.client"
    echo "$p" >"$CTDIR/m$i.peer"
    cluster+="${cluster:+,}m$i=http://127.0.0.1:$p"
  done
  for i in 1 2 3; do
    local c p
    c="$(cat "$CTDIR/m$i.client")"
    p="$(cat "$CTDIR/m$i.peer")"
    etcd --name "m$i" --data-dir "$CTDIR/m$i" --initial-cluster "$cluster" \
      --initial-cluster-state new --initial-cluster-token "berth-$$" \
      --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
      --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
      </dev/null >"$CTDIR/m$i.log" 2>&1 3>&- &
    echo $! >>"$CTDIR/etcd.pids"
  done
  for i in 1 2 3; do
    ETCD_PORT="$(cat "$CTDIR/m$i.client")" wait_for 30 etcd_healthy || { cat "$CTDIR"/m*.log >&2; return 1; }
  done
  local url="etcd://127.0.0.1:$(cat "$CTDIR/m1.client"),127.0.0.1:$(cat "$CTDIR/m2.client"),127.0.0.1:$(cat "$CTDIR/m3.client")"
  echo "$url" >"$CTDIR/url"
  start_host a "$url"
  start_host b "$url"
}

# start_host NAME URL: a berthd on $CTDIR/NAME with the etcd store, its own
# bridge, subnet and nft table (tests/e2e/lib/net.bash; SUBNET_PREFIX of
# host NAME in $CTDIR/NAME/net.env).
start_host() {
  local d="$CTDIR/$1"
  mkdir -p "$d/data" "$d/exec"
  net_setup "$d"
  "$BERTHD" --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/exec/berth.sock" \
    --discovery "$2" --discovery-addr 127.0.0.1:0 $BERTHD_NET_FLAGS </dev/null >>"$d/berthd.log" 2>&1 3>&- &
  echo $! >"$d/pid"
  echo $! >>"$CTDIR/berthd.pids"
  wait_for 20 test -s "$d/exec/discovery.addr" || { cat "$d/berthd.log" >&2; return 1; }
}

addr() { cat "$CTDIR/$1/exec/discovery.addr"; }

hb() { "$BERTH" -H "unix://$CTDIR/$1/exec/berth.sock" "${@:2}"; }

teardown_file() {
  [[ -n "${CTDIR:-}" && -d "$CTDIR" ]] || return 0
  local h ids m
  for h in a b; do
    ids="$(hb "$h" ps -aq 2>/dev/null)" || true
    [[ -z "$ids" ]] || hb "$h" rm -f $ids >/dev/null 2>&1 || true
  done
  stop_pids_from "$CTDIR/berthd.pids" || true
  stop_pids_from "$CTDIR/etcd.pids" || true
  for h in a b; do
    EXEC="$CTDIR/$h/exec" kill_containers || true
  done
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$CTDIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  for h in a b; do
    net_teardown "$CTDIR/$h" || true
  done
  rm -rf "$CTDIR"
}

@test "a service and a key written on one host are seen on the other; etcd holds raw values" {
  run curl -s -X PUT -d '{"Name":"shared","ID":"shared-a","Port":80}' "http://$(addr a)/v1/agent/service/register"
  assert_success
  run curl -s -X PUT -d hello "http://$(addr a)/v1/kv/cfg/greeting"
  assert_eq "$output" true
  run curl -s "http://$(addr b)/v1/catalog/service/shared"
  assert_eq "$(jq -r '.[0].ServiceID' <<<"$output")" shared-a
  run curl -s "http://$(addr b)/v1/kv/cfg/greeting?raw"
  assert_eq "$output" hello
  # What berthd wrote, read from etcd itself (the gateway etcdctl also uses).
  local key
  key="$(printf 'berth/kv/cfg/greeting' | base64 -w0)"
  run curl -s -X POST -d "{\"key\":\"$key\"}" "http://127.0.0.1:$(cat "$CTDIR/m2.client")/v3/kv/range"
  assert_eq "$(jq -r '.kvs[0].value' <<<"$output" | base64 -d)" hello
  # Host b cannot remove host a's instance.
  run curl -s -o /dev/null -w '%{http_code}' -X PUT "http://$(addr b)/v1/agent/service/deregister/shared-a"
  assert_eq "$output" 404
}

@test "a container on one host (its own bridge and subnet) is in the other's catalog" {
  "$SCRIPTS_DIR/make-busybox-image" --host "unix://$CTDIR/a/exec/berth.sock" --berth "$BERTH" busybox:latest >&2
  hb a run -d --name mhweb --expose 80 -e SERVICE_NAME=mhweb busybox sleep 300 >/dev/null
  local prefix_a
  prefix_a="$(source "$CTDIR/a/net.env" && echo "$SUBNET_PREFIX")"
  in_b() {
    [[ "$(curl -s "http://$(addr b)/v1/catalog/service/mhweb" | jq -r '.[0].ServiceAddress')" == "$prefix_a".* ]]
  }
  wait_for 10 in_b || fail "host a's container is not in host b's catalog"
  hb a rm -f mhweb >/dev/null
  gone() { [[ "$(curl -s "http://$(addr b)/v1/catalog/service/mhweb" | jq length)" == 0 ]]; }
  wait_for 10 gone || fail "host a's removed container is still in host b's catalog"
}

@test "killing one etcd member (the first endpoint) changes nothing" {
  local first
  first="$(head -1 "$CTDIR/etcd.pids")"
  kill -KILL "$first"
  wait_for 10 pid_gone "$first"
  run curl -s -X PUT -d v2 "http://$(addr b)/v1/kv/cfg/after"
  assert_eq "$output" true
  run curl -s "http://$(addr a)/v1/kv/cfg/after?raw"
  assert_eq "$output" v2
  run curl -s -X PUT -d '{"Name":"late","ID":"late-b","Port":81}' "http://$(addr b)/v1/agent/service/register"
  run curl -s "http://$(addr a)/v1/catalog/service/late"
  assert_eq "$(jq length <<<"$output")" 1
}

@test "a killed berthd's services vanish within its lease time" {
  local pid
  pid="$(cat "$CTDIR/a/pid")"
  kill -KILL "$pid"
  wait_for 10 pid_gone "$pid"
  gone() {
    [[ "$(curl -s "http://$(addr b)/v1/catalog/service/shared" | jq length)" == 0 ]]
  }
  local t0=$SECONDS
  wait_for 25 gone || fail "host a's service still there after 25 s"
  echo "vanished after $((SECONDS - t0)) s" >&3
  run curl -s "http://$(addr b)/v1/catalog/service/late"
  assert_eq "$(jq length <<<"$output")" 1
}
