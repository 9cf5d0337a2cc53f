# Helpers for the discovery end-to-end tests (bats): one berthd per file on
# private roots (the container helpers' start_berthd), its Consul-compatible
# API on a port the kernel picks (--discovery-addr 127.0.0.1:0), found in
# <exec-root>/discovery.addr.
#
#   BERTH_DISCOVERY_ETCD=1   runs the same tests with --discovery etcd://...
#                            on a private etcd (free loopback ports, own data
#                            dir, stopped by PID).

DISC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$DISC_DIR/../containers/helpers.bash"
PY=/usr/bin/python3

disc_setup_file() {
  export CTDIR="$(mktemp -d /tmp/berth-ct-XXXXXX)"
  chmod 0755 "$CTDIR"
  export DATA="$CTDIR/data" EXEC="$CTDIR/exec"
  export SOCK="$EXEC/berth.sock"
  export HOST="unix://$SOCK"
  unset BERTH_HOST DOCKER_HOST CONSUL_HTTP_ADDR BERTH_CONFIG
  export DOCKER_CONFIG="$CTDIR/dockercfg"
  mkdir -p "$DOCKER_CONFIG"
  if [[ "${BERTH_DISCOVERY_ETCD:-}" == 1 ]]; then
    require_tool etcd "Debian's etcd-server" || return 1
    start_etcd || return 1
    export BERTH_DISCOVERY="etcd://127.0.0.1:$ETCD_PORT"
  fi
  disc_start "$@"
}

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_etcd: one etcd member on free loopback ports; ETCD_PORT, ETCD_PID.
start_etcd() {
  ETCD_PORT="$(free_port)"
  local peer
  peer="$(free_port)"
  etcd --name e2e --data-dir "$CTDIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "e2e=http://127.0.0.1:$peer" </dev/null >"$CTDIR/etcd.log" 2>&1 3>&- &
  export ETCD_PID=$! ETCD_PORT
  echo "$ETCD_PID" >>"$CTDIR/etcd.pids"
  wait_for 20 etcd_healthy || { cat "$CTDIR/etcd.log" >&2; return 1; }
}

etcd_healthy() {
  curl -s --max-time 1 "http://127.0.0.1:$ETCD_PORT/health" | grep -q true
}

# disc_start [berthd args]: starts berthd and sets CONSUL (host:port).
disc_start() {
  local extra=()
  [[ -z "${BERTH_DISCOVERY:-}" ]] || extra=(--discovery "$BERTH_DISCOVERY")
  rm -f "$EXEC/discovery.addr"
  start_berthd "${extra[@]}" "$@"
  wait_for 20 test -s "$EXEC/discovery.addr" || { cat "$CTDIR/berthd.log" >&2; return 1; }
  export CONSUL="$(cat "$EXEC/discovery.addr")"
  echo "$BERTHD_PID" >"$CTDIR/current.pid"
}

# disc_setup: each test sees the daemon an earlier test may have restarted.
disc_setup() {
  BERTHD_PID="$(cat "$CTDIR/current.pid")"
  CONSUL="$(cat "$EXEC/discovery.addr" 2>/dev/null)"
  export BERTHD_PID CONSUL
}

disc_teardown_file() {
  stop_berthd || true
  stop_pids_from "$CTDIR/etcd.pids" || true
  ct_teardown_file
}

# c METHOD PATH [curl args...]: one request to the discovery API; sets
# $status to curl's, $output to the body and HTTP_CODE, CONSUL_INDEX.
c() {
  local method="$1" path="$2"
  shift 2
  local hdr="$CTDIR/headers"
  run curl -s -D "$hdr" -X "$method" "$@" "http://$CONSUL$path"
  HTTP_CODE="$(awk 'NR==1 {print $2}' "$hdr" 2>/dev/null)"
  CONSUL_INDEX="$(awk -F': ' 'tolower($1)=="x-consul-index" {gsub("\r",""); print $2}' "$hdr" 2>/dev/null)"
}

# catalog_has NAME COUNT / passing_has NAME COUNT: the catalog (or its
# passing instances) lists COUNT instances of service NAME.
catalog_has() {
  c GET "/v1/catalog/service/$1"
  [[ "$(jq length <<<"$output")" == "$2" ]]
}

passing_has() {
  c GET "/v1/health/service/$1?passing"
  [[ "$(jq length <<<"$output")" == "$2" ]]
}

assert_code() {
  [[ "$HTTP_CODE" == "$1" ]] || fail "HTTP status $HTTP_CODE, want $1 (body: $output)"
}
