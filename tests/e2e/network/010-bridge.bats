#!/usr/bin/env bats
# The default bridge: addresses, routes, container-to-container traffic,
# --network none/host/container:, and what inspect shows.

load helpers

setup_file() { net_setup_file; }
teardown_file() { net_teardown_file; }
teardown() { net_test_teardown; }

@test "bridge: eth0 with an address from the subnet, default route, lo up, bridge MTU" {
  run_berth run --rm busybox sh -c 'ip -o -4 addr show; ip route; cat /sys/class/net/eth0/mtu'
  assert_success
  assert_match "$output" "lo +inet 127\.0\.0\.1/8"
  assert_match "$output" "eth0 +inet ${SUBNET_PREFIX//./\\.}\.[0-9]+/24"
  assert_match "$output" "default via ${SUBNET_PREFIX//./\\.}\.1 dev eth0"
  assert_match "$output" "1500"
  # The bridge exists with its gateway address; the table masquerades the subnet.
  run ip -o -4 addr show dev "$BRIDGE"
  assert_match "$output" "inet $SUBNET_PREFIX\.1/24"
  assert_match "$(nft_table_text)" "ip saddr $SUBNET_PREFIX\.0/24 oifname != \"$BRIDGE\" masquerade"
}

@test "two containers talk over the bridge; inspect shows the network" {
  b run -d --name web busybox sh -c "$(httpd_cmd hello-bridge)" >/dev/null
  ip="$(container_ip web)"
  assert_match "$ip" "^${SUBNET_PREFIX//./\\.}\.[0-9]+$" "IPAddress"
  assert_eq "$(b inspect --format '{{.NetworkSettings.Gateway}}' web)" "$SUBNET_PREFIX.1"
  assert_eq "$(b inspect --format '{{.NetworkSettings.IPPrefixLen}}' web)" 24
  mac="$(b inspect --format '{{.NetworkSettings.MacAddress}}' web)"
  assert_match "$mac" "^02:42:"
  assert_eq "$(b inspect --format '{{.NetworkSettings.Networks.bridge.IPAddress}}' web)" "$ip"
  assert_eq "$(b inspect --format '{{.NetworkSettings.Networks.bridge.MacAddress}}' web)" "$mac"
  assert_match "$(b inspect --format '{{.NetworkSettings.SandboxKey}}' web)" "^$EXEC/netns/"
  # Its /etc/hosts names it by its address.
  run_berth exec web cat /etc/hosts
  assert_match "$output" "$ip"
  wait_for 20 bash -c "'$BERTH' -H '$HOST' run --rm busybox wget -qO- http://$ip/ | grep -q hello-bridge"
  # And the host reaches it directly.
  wait_http "http://$ip/" hello-bridge
  # Two running containers never share an address.
  b run -d --name other busybox sleep 100 >/dev/null
  assert_ne "$(container_ip other)" "$ip" "second address"
}

@test "addresses are released when a container stops, and not handed out twice" {
  b run -d --name a1 busybox sleep 100 >/dev/null
  ip1="$(container_ip a1)"
  b stop -t 0 a1 >/dev/null
  assert_eq "$(container_ip a1)" "" "IPAddress of a stopped container"
  jq -e --arg ip "$ip1" '.IPAM.Allocated[$ip] == null' "$DATA/network/bridge.json" >/dev/null ||
    fail "address $ip1 still allocated: $(cat "$DATA/network/bridge.json")"
  b start a1 >/dev/null
  assert_match "$(container_ip a1)" "^${SUBNET_PREFIX//./\\.}\."
}

@test "--network none has only lo; --network host shares the host's interfaces" {
  run_berth run --rm --network none busybox ls /sys/class/net
  assert_success
  assert_eq "$output" "lo"
  run_berth run --rm --network host busybox ls /sys/class/net
  assert_success
  assert_match "$output" "$BRIDGE"
  run_berth run -d --name nonet --network none busybox sleep 100
  assert_eq "$(b inspect --format '{{.NetworkSettings.IPAddress}}' nonet)" ""
  assert_eq "$(b inspect --format '{{json .NetworkSettings.Networks}}' nonet | jq -r 'keys[0]')" none
}

@test "--network container:NAME shares the other container's namespace" {
  b run -d --name base busybox sleep 100 >/dev/null
  ip="$(container_ip base)"
  run_berth run --rm --network container:base busybox ip -o -4 addr show eth0
  assert_success
  assert_match "$output" "$ip/24"
  run_berth run --rm --network container:nosuch busybox true
  assert_failure
  assert_match "$output" "No such container: nosuch"
}

@test "unknown network and --ip on the default bridge fail as in docker" {
  run_berth run --rm --network nosuchnet busybox true
  assert_failure
  assert_match "$output" "network nosuchnet not found"
  run_berth run --rm --network bridge --ip 10.1.2.3 busybox true
  assert_failure
  assert_match "$output" "user specified IP address is supported on user defined networks only"
}

@test "--mac-address sets eth0's address" {
  run_berth run --rm --mac-address 02:42:de:ad:be:ef busybox cat /sys/class/net/eth0/address
  assert_success
  assert_eq "$output" "02:42:de:ad:be:ef"
}

@test "kill -9 berthd and restart: endpoints live on, leftovers of dead ones cleaned" {
  b run -d --name survivor busybox sh -c "$(httpd_cmd still-here)" >/dev/null
  b run -d --name dies busybox sleep 1000 >/dev/null
  ip="$(container_ip survivor)"
  wait_http "http://$ip/" still-here
  dies_pid="$(b inspect --format '{{.State.Pid}}' dies)"
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  kill -KILL "$dies_pid"
  start_berthd
  wait_state dies exited
  assert_eq "$(container_ip survivor)" "$ip"
  wait_http "http://$ip/" still-here
  dies_id="$(b inspect --format '{{.Id}}' dies)"
  [[ ! -e "$EXEC/netns/$dies_id" ]] || fail "namespace of the dead container left"
  ip -o link show "veth${dies_id:0:11}" 2>/dev/null && fail "veth of the dead container left"
  true
}

@test "clean shutdown with no containers removes the bridge and the table" {
  # The daemon running now (another test may have restarted it).
  BERTHD_PID="$(tail -1 "$CTDIR/berthd.pids")"
  stop_berthd
  ip link show "$BRIDGE" >/dev/null 2>&1 && fail "bridge $BRIDGE left after shutdown"
  [[ -z "$(nft_table_text)" ]] || fail "table $NFT_TABLE left after shutdown"
  start_berthd
  ip link show "$BRIDGE" >/dev/null || fail "bridge not made again"
}
