#!/usr/bin/env bats
# The load-balancer example end to end: web containers (busybox httpd)
# register themselves (--expose 80, SERVICE_NAME=web); Debian's haproxy,
# fed by examples/haproxy/discovery-haproxy from /v1/health/service/web?passing
# (blocking queries), is rewritten and reloaded when one stops or another
# starts; curl through haproxy reaches only live backends. haproxy and the
# watcher are children of this file, on a free loopback port, stopped by PID.

load helpers

WATCHER="$DISC_DIR/../../../examples/haproxy/discovery-haproxy"

setup_file() {
  command -v haproxy >/dev/null || skip "haproxy is not installed (scripts/install-deps)"
  disc_setup_file
  "$SCRIPTS_DIR/make-busybox-image" --host "$HOST" --berth "$BERTH" busybox:latest >&2
  mkdir -p "$CTDIR/lb"
}

stop_pidfile() {  # stop_pidfile FILE: TERM the PID in FILE, KILL if it lingers
  local p
  p="$(cat "$1" 2>/dev/null)" || return 0
  [[ -n "$p" ]] || return 0
  kill -TERM "$p" 2>/dev/null || return 0
  wait_for 10 pid_gone "$p" || kill -KILL "$p" 2>/dev/null || true
}

teardown_file() {
  stop_pidfile "$CTDIR/lb/haproxy.pid"
  stop_pidfile "$CTDIR/lb/watcher.pid"
  disc_teardown_file
}
setup() { disc_setup; }
teardown() { ct_teardown; }

web() {  # web NAME: a busybox httpd answering its own name, registered as "web"
  b run -d --name "$1" --expose 80 -e SERVICE_NAME=web busybox \
    sh -c "mkdir -p /www && echo $1 >/www/index.html && exec httpd -f -p 80 -h /www" >/dev/null
}

servers_in_config() {  # servers_in_config N
  [[ "$(grep -c '^    server ' "$CTDIR/lb/haproxy.cfg" 2>/dev/null)" == "$1" ]]
}

# backends_are "a b c": 12 requests through haproxy all succeed, reach only
# these backends and each of them.
backends_are() {
  local seen=() i body
  for i in $(seq 1 12); do
    body="$(curl -s --max-time 2 "http://127.0.0.1:$LB_PORT/")" || return 1
    [[ " $1 " == *" $body "* ]] || { echo "# reached $body, want only $1" >&2; return 1; }
    seen+=("$body")
  done
  [[ "$(printf '%s\n' "${seen[@]}" | sort -u | xargs)" == "$1" ]]
}

@test "haproxy follows /v1/health/service/web?passing: stop and add web containers" {
  LB_PORT="$(free_port)"
  export LB_PORT
  /usr/bin/python3 "$WATCHER" --consul "$CONSUL" --service web --bind "127.0.0.1:$LB_PORT" \
    --config "$CTDIR/lb/haproxy.cfg" --pidfile "$CTDIR/lb/haproxy.pid" --wait 30s \
    </dev/null >"$CTDIR/lb/watcher.log" 2>&1 3>&- &
  echo $! >"$CTDIR/lb/watcher.pid"
  web w1
  web w2
  web w3
  wait_for 15 servers_in_config 3 || fail "watcher did not write 3 servers: $(cat "$CTDIR/lb/watcher.log")"
  haproxy -W -db -f "$CTDIR/lb/haproxy.cfg" </dev/null >"$CTDIR/lb/haproxy.log" 2>&1 3>&- &
  echo $! >"$CTDIR/lb/haproxy.pid"
  wait_for 15 backends_are "w1 w2 w3" || fail "not balanced over w1 w2 w3: $(cat "$CTDIR/lb/haproxy.log")"

  b stop -t 1 w2 >/dev/null
  wait_for 15 servers_in_config 2 || fail "w2 not removed from the config"
  wait_for 15 backends_are "w1 w3" || fail "haproxy still reaches w2"

  web w4
  wait_for 15 servers_in_config 3 || fail "w4 not added to the config"
  wait_for 15 backends_are "w1 w3 w4" || fail "haproxy does not reach w4"
  grep -q '^reload 3: ' "$CTDIR/lb/watcher.log" || fail "watcher log: $(cat "$CTDIR/lb/watcher.log")"
  # The master is still the one we started (reloads, not restarts).
  kill -0 "$(cat "$CTDIR/lb/haproxy.pid")"
}
