#!/usr/bin/env bats
# The embedded DNS: a listener at 127.0.0.11:53 in each bridge container's
# namespace, resolv.conf pointing at it, names of links, no names of
# others, forwarding to a fake upstream on loopback (never further), and
# nothing left behind after rm or a berthd kill -9 + restart.

load helpers

LIB="$BATS_TEST_DIRNAME/../lib"

# fake_dns NAME ADDR PORT ANSWER: a fake upstream on loopback; sets
# FAKE_<NAME>_PORT. Its PID is kept for teardown_file.
fake_dns() {
  local name="$1" addr="$2" port="$3" ip="$4"
  rm -f "$FAKEDIR/$name.port"
  /usr/bin/python3 "$LIB/fake_dns.py" "$addr" "$port" "$ip" "$FAKEDIR/$name.port" \
    "$FAKEDIR/$name.log" </dev/null >>"$FAKEDIR/$name.err" 2>&1 3>&- &
  echo $! >>"$FAKEDIR/fake_dns.pids"
  wait_for 10 test -s "$FAKEDIR/$name.port" || { cat "$FAKEDIR/$name.err" >&2; return 1; }
  printf -v "FAKE_${name}_PORT" '%s' "$(cat "$FAKEDIR/$name.port")"
}

setup_file() {
  export FAKEDIR="$(mktemp -d /tmp/berth-dnsfake-XXXXXX)"
  # The daemon's upstream: a fake on 127.0.0.1, port picked by the kernel.
  fake_dns up 127.0.0.1 0 192.0.2.53
  export BERTHD_DNS_UPSTREAM="127.0.0.1:$FAKE_up_PORT"
  # A container's --dns upstream: port 53 on a loopback address of this file's own.
  export DNS2_ADDR="127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
  fake_dns own "$DNS2_ADDR" 53 192.0.2.54
  net_setup_file
}

teardown_file() {
  local p
  for p in $(cat "$FAKEDIR/fake_dns.pids" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  net_teardown_file
  rm -rf "$FAKEDIR"
}
teardown() { net_test_teardown; }

# query ID NAME [TYPE] [tcp]: asks 127.0.0.11 inside the container's namespace.
query() {
  local id="$1"
  shift
  nsenter --net="$EXEC/netns/$(b inspect --format '{{.Id}}' "$id")" \
    /usr/bin/python3 "$LIB/dns_query.py" 127.0.0.11 53 "$@"
}

# berthd_sockets: how many sockets berthd holds.
berthd_sockets() {
  ls -l "/proc/$BERTHD_PID/fd" 2>/dev/null | grep -c 'socket:'
}

@test "dns: resolv.conf names 127.0.0.11 with --dns-search/--dns-option; the listener answers UDP and TCP" {
  b run -d --name web --dns-search example.test --dns-option timeout:1 --dns "$DNS2_ADDR" \
    busybox sleep 300 >/dev/null
  run_berth exec web cat /etc/resolv.conf
  assert_success
  assert_eq "$output" "search example.test
nameserver 127.0.0.11
options timeout:1 ndots:0"
  run query web www.fake.test
  assert_success
  assert_match "$output" "rcode=NOERROR"
  assert_match "$output" "A 192.0.2.54"   # the container's --dns, not the daemon's upstream
  run query web www.fake.test 1 tcp
  assert_match "$output" "A 192.0.2.54"
  # Single-label names and .berth names are never forwarded.
  run query web nosuchname
  assert_match "$output" "rcode=NXDOMAIN"
  run query web nothing.service.berth
  assert_match "$output" "rcode=NXDOMAIN"
  touch "$FAKEDIR/own.log" "$FAKEDIR/up.log"
  ! grep -q nosuchname "$FAKEDIR/own.log" "$FAKEDIR/up.log" || fail "a local name was forwarded"
}

@test "dns: without --dns a container's questions go to the daemon's upstream" {
  b run -d --name plain busybox sleep 300 >/dev/null
  run_berth exec plain nslookup host1.fake.test
  assert_success
  assert_match "$output" "192\.0\.2\.53"
  grep -qx host1.fake.test "$FAKEDIR/up.log" || fail "the upstream never saw the question"
  # busybox's resolver uses the embedded server through resolv.conf.
  run_berth exec plain cat /etc/resolv.conf
  assert_match "$output" "nameserver 127\.0\.0\.11"
}

@test "dns: a link's alias and name resolve for the linking container only" {
  b run -d --name db busybox sleep 300 >/dev/null
  ip="$(container_ip db)"
  b run -d --name web --link db:database busybox sleep 300 >/dev/null
  run_berth exec web nslookup database
  assert_success
  assert_match "$output" "$ip"
  run query web database
  assert_match "$output" "A $ip"
  run query web db
  assert_match "$output" "A $ip"
  # Another container on the same bridge sees neither name.
  b run -d --name other busybox sleep 300 >/dev/null
  run query other database
  assert_match "$output" "rcode=NXDOMAIN"
  run query other db
  assert_match "$output" "rcode=NXDOMAIN"
  run_berth exec other nslookup db
  assert_failure
}

@test "dns: on a user-defined network peers resolve by name, short ID and alias; outsiders do not" {
  b network create appnet >/dev/null
  b network create othernet >/dev/null
  b run -d --name udb --network appnet --network-alias database busybox sleep 300 >/dev/null
  local ip id
  ip="$(b inspect --format '{{(index .NetworkSettings.Networks "appnet").IPAddress}}' udb)"
  id="$(b inspect --format '{{.Id}}' udb)"
  b run -d --name uweb --network appnet busybox sleep 300 >/dev/null
  run_berth exec uweb cat /etc/resolv.conf
  assert_match "$output" "nameserver 127\.0\.0\.11"
  run query uweb udb
  assert_match "$output" "A $ip"
  run query uweb database
  assert_match "$output" "A $ip"
  run query uweb UDB
  assert_match "$output" "A $ip"
  run query uweb "${id:0:12}"
  assert_match "$output" "A $ip"
  run_berth exec uweb ping -c 1 -W 5 database
  assert_success
  # a container on another network, and one on the default bridge, see none of them
  b run -d --name uout --network othernet busybox sleep 300 >/dev/null
  run query uout udb
  assert_match "$output" "rcode=NXDOMAIN"
  run query uout database
  assert_match "$output" "rcode=NXDOMAIN"
  b run -d --name ubr busybox sleep 300 >/dev/null
  run query ubr udb
  assert_match "$output" "rcode=NXDOMAIN"
  # connected to appnet with an alias of its own, the outsider resolves and is resolved
  b network connect --alias side appnet uout
  run query uout database
  assert_match "$output" "A $ip"
  local oip
  oip="$(b inspect --format '{{(index .NetworkSettings.Networks "appnet").IPAddress}}' uout)"
  run query uweb side
  assert_match "$output" "A $oip"
  # rename: peers resolve the new name, no longer the old one
  b rename udb udb2
  run query uweb udb2
  assert_match "$output" "A $ip"
  run query uweb udb
  assert_match "$output" "rcode=NXDOMAIN"
  b rm -f udb2 uweb uout ubr >/dev/null
  b network rm appnet othernet >/dev/null
}

@test "dns: --network none and host keep their resolv.conf; --add-host in /etc/hosts" {
  run_berth run --rm --network none busybox cat /etc/resolv.conf
  assert_success
  [[ "$output" != *127.0.0.11* ]] || fail "--network none names the embedded DNS: $output"
  run_berth run --rm --add-host foo.example:10.9.8.7 --add-host bar:10.9.8.6 busybox cat /etc/hosts
  assert_success
  assert_match "$output" "10\.9\.8\.7	foo\.example"
  assert_match "$output" "10\.9\.8\.6	bar"
}

@test "dns: the listener goes with rm; after kill -9 and restart berthd serves running containers again" {
  b run -d --name keep busybox sleep 300 >/dev/null
  b run -d --name gone busybox sleep 300 >/dev/null
  run query keep k1.fake.test
  assert_match "$output" "A 192.0.2.53"
  b rm -f gone >/dev/null
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  # While berthd is down nobody answers.
  run query keep k2.fake.test
  assert_failure
  start_berthd
  run query keep k3.fake.test
  assert_success
  assert_match "$output" "A 192.0.2.53"
  run_berth exec keep nslookup k4.fake.test
  assert_success
  with="$(berthd_sockets)"
  b rm -f keep >/dev/null
  assert_no_leftovers
  # Its two listener sockets are closed.
  wait_for 10 bash -c "[[ \$(ls -l /proc/$BERTHD_PID/fd | grep -c socket:) -le $((with - 2)) ]]" ||
    fail "berthd holds $(berthd_sockets) sockets, $with with the container"
}
