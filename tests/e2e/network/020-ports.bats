#!/usr/bin/env bats
# Published ports: -p forms, -P, port, ps PORTS, inspect's Ports; reachable
# from the host (127.0.0.1 and its addresses) and from other containers;
# clashes; release at stop; live restore.

load helpers

setup_file() { net_setup_file; }
teardown_file() { net_teardown_file; }
teardown() { net_test_teardown; }

@test "-p HOST:80 answers on 127.0.0.1, the host's address and from another container" {
  port="$(free_port)"
  b run -d --name web -p "$port:80" busybox sh -c "$(httpd_cmd published-hello)" >/dev/null
  wait_http "http://127.0.0.1:$port/" published-hello
  addr="$(host_addr)"
  [[ -z "$addr" ]] || wait_http "http://$addr:$port/" published-hello
  # Another container, through the host port (hairpin NAT).
  run_berth run --rm busybox wget -qO- "http://$SUBNET_PREFIX.1:$port/"
  assert_success
  assert_eq "$output" published-hello
  assert_eq "$(b inspect --format '{{json .NetworkSettings.Ports}}' web)" \
    "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$port\"}]}"
  run_berth port web
  assert_eq "$output" "80/tcp -> 0.0.0.0:$port"
  run_berth port web 80
  assert_eq "$output" "0.0.0.0:$port"
  run_berth ps --format '{{.Ports}}' --filter name=web
  assert_eq "$output" "0.0.0.0:$port->80/tcp"
  assert_match "$(nft_table_text)" "tcp \. $port : [0-9.]+ \. 80"
}

@test "-p 127.0.0.1:HOST:80 binds loopback only; udp ports" {
  port="$(free_port)"
  b run -d --name lo -p "127.0.0.1:$port:80" -p "$port:53/udp" busybox sh -c "$(httpd_cmd loopback-only)" >/dev/null
  wait_http "http://127.0.0.1:$port/" loopback-only
  addr="$(host_addr)"
  if [[ -n "$addr" ]]; then
    run curl -s --max-time 2 "http://$addr:$port/"
    assert_failure "loopback-only port on $addr"
  fi
  run_berth port lo
  assert_match "$output" "80/tcp -> 127.0.0.1:$port"
  assert_match "$output" "53/udp -> 0.0.0.0:$port"
}

@test "-P publishes exposed ports on random high ports; -p 80 too" {
  b run -d --name pall -P --expose 80 --expose 8080 busybox sh -c "$(httpd_cmd random-port)" >/dev/null
  run_berth port pall 80
  assert_success
  assert_match "$output" "^0\.0\.0\.0:[0-9]+$"
  p80="${output##*:}"
  low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)"
  ((p80 >= low)) || fail "port $p80 below the ephemeral range ($low)"
  wait_http "http://127.0.0.1:$p80/" random-port
  run_berth port pall 8080
  assert_match "$output" "^0\.0\.0\.0:[0-9]+$"
  assert_ne "${output##*:}" "$p80"
  b run -d --name one -p 80 busybox sh -c "$(httpd_cmd one-random)" >/dev/null
  run_berth port one 80/tcp
  wait_http "http://127.0.0.1:${output##*:}/" one-random
  run_berth port pall 9999
  assert_failure
  assert_match "$output" "No public port '9999/tcp' published for pall"
}

@test "a port clash fails with docker's error and the container does not run" {
  port="$(free_port)"
  b run -d --name first -p "$port:80" busybox sleep 100 >/dev/null
  run_berth run -d --name second -p "$port:80" busybox sleep 100
  assert_failure
  assert_match "$output" "driver failed programming external connectivity on endpoint second .*Bind for 0\.0\.0\.0:$port failed: port is already allocated"
  assert_ne "$(state second)" running
  # A host program holding a port clashes too.
  port2="$(free_port)"
  /usr/bin/python3 -c "import socket,time,sys; s=socket.socket(); s.bind(('0.0.0.0', $port2)); s.listen(); print('ok', flush=True); sys.stdin.read()" < <(sleep 30) > "$CTDIR/holder.out" &
  holder=$!
  wait_for 10 grep -q ok "$CTDIR/holder.out"
  run_berth run -d --name third -p "$port2:80" busybox sleep 100
  kill "$holder" 2>/dev/null || true
  assert_failure
  assert_match "$output" "port is already allocated"
}

@test "stopping releases the port and its rule; it can be published again" {
  port="$(free_port)"
  b run -d --name rel -p "$port:80" busybox sh -c "$(httpd_cmd first-owner)" >/dev/null
  wait_http "http://127.0.0.1:$port/" first-owner
  b stop -t 0 rel >/dev/null
  [[ "$(nft_table_text)" != *". $port :"* ]] || fail "rule for $port left: $(nft_table_text)"
  run_berth port rel
  assert_eq "$output" ""
  b run -d --name rel2 -p "$port:80" busybox sh -c "$(httpd_cmd second-owner)" >/dev/null
  wait_http "http://127.0.0.1:$port/" second-owner
}

@test "kill -9 berthd: published ports keep working and are released after" {
  port="$(free_port)"
  b run -d --name live -p "$port:80" busybox sh -c "$(httpd_cmd survives)" >/dev/null
  wait_http "http://127.0.0.1:$port/" survives
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  wait_http "http://127.0.0.1:$port/" survives
  start_berthd
  wait_http "http://127.0.0.1:$port/" survives
  run_berth port live
  assert_eq "$output" "80/tcp -> 0.0.0.0:$port"
  # The restarted daemon holds the port again: a clash is still a clash.
  run_berth run -d --name clash -p "$port:80" busybox true
  assert_failure
  assert_match "$output" "port is already allocated"
}
