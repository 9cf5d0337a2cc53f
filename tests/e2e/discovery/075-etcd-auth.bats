#!/usr/bin/env bats
# Several berthd on one etcd with auth enabled: each daemon logs in as its own
# etcd user whose role may write only its host prefix
# (berth/services/<node>/) and the shared KV, and read everything. etcdctl
# sets the roles up and reads what berthd wrote; a host's credentials cannot
# write another host's prefix; a wrong password stops berthd with a clear
# error.

load helpers

setup_file() {
  require_tool etcd "Debian's etcd-server"
  require_tool etcdctl "Debian's etcd-client"
  export CTDIR="$(mktemp -d /tmp/berth-ct-XXXXXX)"
  chmod 0755 "$CTDIR"
  unset BERTH_CONFIG ETCDCTL_API ETCDCTL_ENDPOINTS ETCDCTL_USER
  export DOCKER_CONFIG="$CTDIR/dockercfg"
  start_etcd || return 1
  echo "$ETCD_PORT" >"$CTDIR/etcd.port"
  ctl user add root:rootpw
  ctl role add root
  ctl user grant-role root root
  local h
  for h in a b; do
    ctl role add "host-$h"
    ctl role grant-permission "host-$h" --prefix=true readwrite "berth/services/$h/"
    ctl role grant-permission "host-$h" --prefix=true readwrite berth/kv/
    ctl role grant-permission "host-$h" --prefix=true readwrite berth/kvflags/
    ctl role grant-permission "host-$h" --prefix=true read berth/
    ctl user add "$h:pw-$h"
    ctl user grant-role "$h" "host-$h"
  done
  ctl auth enable
  start_host a "etcd://a:pw-a@127.0.0.1:$ETCD_PORT"
  start_host b "etcd://b:pw-b@127.0.0.1:$ETCD_PORT"
}

# ctl ARGS: etcdctl on the test's etcd (as root once auth is on); fails the
# setup on error.
ctl() {
  local -a user=()
  [[ -f "$CTDIR/auth.on" ]] && user=(--user root:rootpw)
  ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$ETCD_PORT" "${user[@]}" "$@" >/dev/null ||
    { echo "etcdctl $* failed" >&2; return 1; }
  [[ "$1" != auth ]] || touch "$CTDIR/auth.on"
}

# start_host NAME URL: a berthd on $CTDIR/NAME, discovery node NAME.
start_host() {
  local d="$CTDIR/$1"
  mkdir -p "$d/data" "$d/exec"
  "$BERTHD" --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/exec/berth.sock" \
    --discovery "$2" --discovery-node "$1" --discovery-addr 127.0.0.1:0 --bridge=none \
    </dev/null >>"$d/berthd.log" 2>&1 3>&- &
  echo $! >"$d/pid"
  echo $! >>"$CTDIR/berthd.pids"
  wait_for 20 test -s "$d/exec/discovery.addr" || { cat "$d/berthd.log" >&2; return 1; }
}

addr() { cat "$CTDIR/$1/exec/discovery.addr"; }

teardown_file() {
  [[ -n "${CTDIR:-}" && -d "$CTDIR" ]] || return 0
  stop_pids_from "$CTDIR/berthd.pids" || true
  stop_pids_from "$CTDIR/etcd.pids" || true
  rm -rf "$CTDIR"
}

setup() { ETCD_PORT="$(cat "$CTDIR/etcd.port")"; }

@test "with etcd auth, hosts share the catalog and the KV; etcdctl reads what berthd wrote" {
  run curl -s -X PUT -d '{"Name":"authsvc","ID":"authsvc-a","Port":80}' "http://$(addr a)/v1/agent/service/register"
  assert_success
  run curl -s -X PUT -d shared-value "http://$(addr b)/v1/kv/app/setting"
  assert_eq "$output" true
  run curl -s "http://$(addr b)/v1/catalog/service/authsvc"
  assert_eq "$(jq -r '.[0].ServiceID' <<<"$output")" authsvc-a
  run curl -s "http://$(addr a)/v1/kv/app/setting?raw"
  assert_eq "$output" shared-value
  # etcdctl, as host b's user: the raw KV value and a's instance under a's prefix.
  run env ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$ETCD_PORT" --user b:pw-b \
    get --print-value-only berth/kv/app/setting
  assert_success
  assert_eq "$output" shared-value
  run env ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$ETCD_PORT" --user b:pw-b \
    get --keys-only --prefix berth/services/a/
  assert_success
  assert_eq "$(grep -v '^$' <<<"$output")" berth/services/a/authsvc-a
}

@test "one host's etcd user cannot write or delete another host's prefix" {
  run env ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$ETCD_PORT" --user b:pw-b \
    put berth/services/a/forged '{"ID":"forged"}'
  [[ "$status" != 0 && "$output" == *"permission denied"* ]] || fail "b wrote a's prefix: $output"
  run env ETCDCTL_API=3 etcdctl --endpoints "http://127.0.0.1:$ETCD_PORT" --user b:pw-b \
    del berth/services/a/authsvc-a
  [[ "$status" != 0 && "$output" == *"permission denied"* ]] || fail "b deleted a's instance: $output"
  run curl -s "http://$(addr b)/v1/catalog/service/authsvc"
  assert_eq "$(jq length <<<"$output")" 1
}

@test "a wrong etcd password: berthd exits with an error naming the user, not the password" {
  local d="$CTDIR/bad"
  mkdir -p "$d/data" "$d/exec"
  run timeout 30 "$BERTHD" --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/exec/berth.sock" \
    --discovery "etcd://a:wrong-secret@127.0.0.1:$ETCD_PORT" --discovery-addr 127.0.0.1:0 --bridge=none
  [[ "$status" != 0 && "$status" != 124 ]] || fail "berthd status $status"
  [[ "$output" == *'authentication as "a" failed'* ]] || fail "message: $output"
  [[ "$output" != *wrong-secret* ]] || fail "the password is in the message: $output"
}

@test "--discovery-node must be a plain name" {
  local d="$CTDIR/badnode"
  mkdir -p "$d/data" "$d/exec"
  run timeout 30 "$BERTHD" --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/exec/berth.sock" \
    --discovery-node "x/y" --discovery-addr 127.0.0.1:0 --bridge=none
  [[ "$status" != 0 && "$status" != 124 ]] || fail "berthd status $status"
  [[ "$output" == *"--discovery-node must be"* ]] || fail "message: $output"
}
