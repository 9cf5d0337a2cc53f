#!/usr/bin/env bats
# <name>.service.berth from the catalog on the host's DNS listener
# (--discovery-dns-addr; the test daemons' default with --discovery-addr
# 127.0.0.1:0 is 127.0.0.1 on a free port, in <exec-root>/discovery-dns.addr)
# and in containers (the embedded DNS at 127.0.0.11).

load helpers

setup_file() {
  disc_setup_file
  "$SCRIPTS_DIR/make-busybox-image" --host "$HOST" --berth "$BERTH" busybox:latest >&2
}
teardown_file() { disc_teardown_file; }
setup() {
  disc_setup
  DNS="$(cat "$EXEC/discovery-dns.addr")"
}
teardown() { ct_teardown; }

q() { run /usr/bin/python3 "$DISC_DIR/dnsq.py" "$DNS" "$@"; }

a_count() {  # a_count NAME N: N A records
  q "$1" A
  [[ "$(grep -c '^A ' <<<"$output")" == "$2" ]]
}

@test "A and SRV records of healthy instances, tags, NXDOMAIN" {
  assert_match "$DNS" '^127\.0\.0\.1:[0-9]+$'
  b run -d --name d1 --expose 80 -e SERVICE_NAME=dweb -e SERVICE_TAGS=blue busybox sleep 300 >/dev/null
  b run -d --name d2 --expose 80 -e SERVICE_NAME=dweb -e SERVICE_TAGS=green busybox sleep 300 >/dev/null
  local ip1 ip2
  ip1="$(b inspect -f '{{.NetworkSettings.IPAddress}}' d1)"
  ip2="$(b inspect -f '{{.NetworkSettings.IPAddress}}' d2)"
  wait_for 10 a_count dweb.service.berth 2 || fail "no 2 A records: $output"
  assert_eq "$(grep '^A ' <<<"$output" | sort | xargs)" "$(printf 'A %s\n' "$ip1" "$ip2" | sort | xargs)"
  q blue.dweb.service.berth A
  assert_eq "$output" $'NOERROR\nA '"$ip1"
  q dweb.service.berth SRV
  assert_eq "$(sed -n 1p <<<"$output")" NOERROR
  assert_match "$output" "SRV 1 1 80 ${ip1//./-}\.addr\.berth"
  assert_match "$output" "ADD ${ip2//./-}\.addr\.berth $ip2"
  q nosuch.service.berth A
  assert_eq "$output" NXDOMAIN
  q example.com A
  assert_eq "$output" REFUSED
  # Inside a container, through the embedded DNS.
  run_berth run --rm busybox nslookup blue.dweb.service.berth
  [[ "$status" == 0 ]] || fail "nslookup in a container failed"
  assert_match "$output" "Address:? +$ip1"
  [[ "$output" != *"$ip2"* ]] || fail "green instance answered for blue"
  # A stopped instance leaves the answers.
  b stop -t 1 d2 >/dev/null
  wait_for 10 a_count dweb.service.berth 1 || fail "stopped instance still answered"
}

@test "an unhealthy instance is not answered" {
  b run -d --name h1 --expose 80 -e SERVICE_NAME=hweb --health-cmd 'test -f /tmp/ok' \
    --health-interval 1s --health-retries 1 --health-timeout 2s busybox sleep 300 >/dev/null
  c GET /v1/catalog/service/hweb
  wait_for 10 eval '[[ "$(curl -s "http://$CONSUL/v1/catalog/service/hweb" | jq length)" == 1 ]]'
  q hweb.service.berth A
  assert_eq "$output" NXDOMAIN
  b exec h1 touch /tmp/ok
  wait_for 15 a_count hweb.service.berth 1 || fail "healthy instance not answered"
}
