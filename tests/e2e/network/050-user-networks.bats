#!/usr/bin/env bats
# User-defined bridge networks: network create/ls/inspect/rm/prune, run
# --network/--ip/--network-alias, connect/disconnect, several networks per
# container, and persistence across berthd restarts. Each daemon has its
# own address pool ($POOL, /28s) and a spare prefix ($USER_PREFIX).

load helpers

setup_file() { net_setup_file; }
teardown_file() { net_teardown_file; }
teardown() { net_test_teardown; }

re() { printf '%s' "${1//./\\.}"; }

# net_bridge NAME: the Linux bridge of a network.
net_bridge() {
  b network inspect --format '{{index .Options "com.docker.network.bridge.name"}}' "$1"
}

@test "network create with --subnet/--gateway/--ip-range/--label/-o: inspect, ls, rm" {
  br="bu$$"
  id="$(b network create --subnet "$USER_PREFIX.0/24" --gateway "$USER_PREFIX.254" \
    --ip-range "$USER_PREFIX.128/25" --label team=net --label tier \
    -o "com.docker.network.bridge.name=$br" --attachable front)"
  assert_match "$id" '^[0-9a-f]{64}$'
  run_berth network inspect front
  assert_success
  j="$output"
  assert_eq "$(jq -r '.[0].Name' <<<"$j")" front
  assert_eq "$(jq -r '.[0].Id' <<<"$j")" "$id"
  assert_eq "$(jq -r '.[0].Driver' <<<"$j")" bridge
  assert_eq "$(jq -r '.[0].Scope' <<<"$j")" local
  assert_eq "$(jq -c '.[0].IPAM.Config' <<<"$j")" \
    "[{\"Gateway\":\"$USER_PREFIX.254\",\"IPRange\":\"$USER_PREFIX.128/25\",\"Subnet\":\"$USER_PREFIX.0/24\"}]"
  assert_eq "$(jq -c '.[0].Labels' <<<"$j")" '{"team":"net","tier":""}'
  assert_eq "$(jq -r '.[0].Internal, .[0].Attachable' <<<"$j" | tr '\n' ' ')" "false true "
  assert_eq "$(jq -c '.[0].Containers' <<<"$j")" '{}'
  # The bridge carries the gateway address.
  run ip -o -4 addr show dev "$br"
  assert_match "$output" "inet $(re "$USER_PREFIX").254/24"
  # ls: filters, -q, --no-trunc, --format with labels.
  assert_eq "$(b network ls -q --filter name=front)" "${id:0:12}"
  assert_eq "$(b network ls -q --no-trunc --filter label=team=net)" "$id"
  assert_eq "$(b network ls -q --filter label=team=other)" ""
  assert_eq "$(b network ls --filter type=custom --format '{{.Name}} {{.Driver}} {{.Labels}}')" \
    "front bridge team=net,tier="
  assert_eq "$(b network ls --filter type=builtin --format '{{.Name}}' | sort | tr '\n' ' ')" \
    "bridge host none "
  assert_eq "$(b network ls -q --filter id="${id:0:5}" --filter driver=bridge)" "${id:0:12}"
  # Lookup by ID prefix; rm removes the bridge and the state.
  assert_eq "$(b network inspect --format '{{.Name}}' "${id:0:6}")" front
  run_berth network rm front
  assert_success
  assert_eq "$output" front
  ip link show "$br" >/dev/null 2>&1 && fail "bridge $br left after network rm"
  [[ ! -e "$DATA/network/networks/$id.json" ]] || fail "state of the network left"
  run_berth network inspect front
  assert_failure
  assert_match "$output" "network front not found"
}

@test "subnets from the daemon's pool, never overlapping; create errors as docker's" {
  a="$(b network create pa)"
  bb="$(b network create pb)"
  sa="$(b network inspect --format '{{(index .IPAM.Config 0).Subnet}}' pa)"
  sb="$(b network inspect --format '{{(index .IPAM.Config 0).Subnet}}' pb)"
  pool="${POOL%.0/24}"
  assert_match "$sa" "^$(re "$pool")\.[0-9]+/28$"
  assert_match "$sb" "^$(re "$pool")\.[0-9]+/28$"
  assert_ne "$sa" "$sb" "two networks' subnets"
  gw="$(b network inspect --format '{{(index .IPAM.Config 0).Gateway}}' pa)"
  base="${sa%/28}"
  assert_eq "$gw" "${base%.*}.$(( ${base##*.} + 1 ))" "gateway: the first address"
  run_berth network create pa
  assert_failure
  assert_match "$output" "network with name pa already exists"
  run_berth network create --subnet "$sa" overlap
  assert_failure
  assert_match "$output" "Pool overlaps with other one on this address space"
  run_berth network create --subnet "$USER_PREFIX.0/24" --gateway 192.0.2.1 badgw
  assert_failure
  assert_match "$output" "no matching subnet for gateway 192.0.2.1"
  run_berth network create -d overlay ov
  assert_failure
  assert_match "$output" "only bridge networks"
  run_berth network create host
  assert_failure
  assert_match "$output" "network with name host already exists"
  run_berth network rm bridge
  assert_failure
  assert_match "$output" "bridge is a pre-defined network and cannot be removed"
  # prune removes the unused ones.
  run_berth network prune -f
  assert_success
  assert_match "$output" "Deleted Networks:"
  assert_match "$output" "pa"
  assert_match "$output" "pb"
  assert_eq "$(b network ls -q --filter type=custom)" ""
}

@test "run --network NAME, --ip, --network-alias: address, inspect, peers talk, rm refused while in use" {
  b network create --subnet "$USER_PREFIX.0/24" app >/dev/null
  nid="$(b network inspect --format '{{.Id}}' app)"
  b run -d --name web --network app --network-alias www busybox sh -c "$(httpd_cmd hello-app)" >/dev/null
  b run -d --name fixed --network app --ip "$USER_PREFIX.50" --mac-address 02:00:00:aa:bb:cc \
    busybox sleep 1000 >/dev/null
  ip="$(b inspect --format '{{.NetworkSettings.Networks.app.IPAddress}}' web)"
  assert_match "$ip" "^$(re "$USER_PREFIX")\.[0-9]+$"
  assert_eq "$(b inspect --format '{{.NetworkSettings.Networks.app.IPAddress}}' fixed)" "$USER_PREFIX.50"
  assert_eq "$(b inspect --format '{{.NetworkSettings.Networks.app.MacAddress}}' fixed)" 02:00:00:aa:bb:cc
  assert_eq "$(b inspect --format '{{.NetworkSettings.Networks.app.Gateway}}' web)" "$USER_PREFIX.1"
  assert_eq "$(b inspect --format '{{.NetworkSettings.Networks.app.NetworkID}}' web)" "$nid"
  assert_match "$(b inspect --format '{{.NetworkSettings.Networks.app.EndpointID}}' web)" '^[0-9a-f]{64}$'
  short="$(b inspect --format '{{.Id}}' web | cut -c1-12)"
  assert_eq "$(b inspect --format '{{json .NetworkSettings.Networks.app.Aliases}}' web)" "[\"www\",\"$short\"]"
  # The top-level fields are the default bridge's: empty here.
  assert_eq "$(b inspect --format '{{.NetworkSettings.IPAddress}}' web)" ""
  # Inside: eth0 on the network, default route via its gateway.
  run_berth exec fixed sh -c 'ip -o -4 addr show eth0; ip route'
  assert_match "$output" "inet $(re "$USER_PREFIX")\.50/24"
  assert_match "$output" "default via $(re "$USER_PREFIX")\.1 dev eth0"
  wait_for 20 bash -c "'$BERTH' -H '$HOST' exec fixed wget -qO- http://$ip/ | grep -q hello-app"
  # network inspect lists both.
  j="$(b network inspect app)"
  assert_eq "$(jq -r '.[0].Containers | length' <<<"$j")" 2
  assert_eq "$(jq -r --arg id "$(b inspect --format '{{.Id}}' fixed)" '.[0].Containers[$id].IPv4Address' <<<"$j")" \
    "$USER_PREFIX.50/24"
  assert_eq "$(jq -r --arg id "$(b inspect --format '{{.Id}}' fixed)" '.[0].Containers[$id].Name' <<<"$j")" fixed
  # An address taken, outside the subnet, on a network without --subnet.
  run_berth run --rm --network app --ip "$USER_PREFIX.50" busybox true
  assert_failure
  assert_match "$output" "Address already in use"
  run_berth run --rm --network app --ip 192.0.2.9 busybox true
  assert_failure
  assert_match "$output" "Invalid address 192.0.2.9: It does not belong to any of this network's subnets"
  b network create nosub >/dev/null
  run_berth run --rm --network nosub --ip "$USER_PREFIX.9" busybox true
  assert_failure
  assert_match "$output" "user specified IP address is supported only when connecting to networks with user configured subnets"
  run_berth run --rm --network-alias x busybox true
  assert_failure
  assert_match "$output" "network-scoped aliases are only supported for user-defined networks"
  run_berth run --rm --network app --ip6 2001:db8::5 busybox true
  assert_failure
  assert_match "$output" "IPv4 only"
  # rm refused while containers run on it; fine once they stopped.
  run_berth network rm app
  assert_failure
  assert_match "$output" "error while removing network: network app id $nid has active endpoints"
  b rm -f web fixed >/dev/null
  b network rm app nosub >/dev/null
}

@test "connect/disconnect a running container (eth1, --alias, --ip) and a stopped one" {
  b network create --subnet "$USER_PREFIX.0/24" side >/dev/null
  b run -d --name multi busybox sleep 1000 >/dev/null
  b network connect --alias sidekick --ip "$USER_PREFIX.77" side multi
  run_berth exec multi ip -o -4 addr show
  assert_match "$output" "eth0 +inet $(re "$SUBNET_PREFIX")\."
  assert_match "$output" "eth1 +inet $(re "$USER_PREFIX")\.77/24"
  # Only one default route: the first network's.
  run_berth exec multi ip route
  assert_match "$output" "default via $(re "$SUBNET_PREFIX")\.1 dev eth0"
  [[ "$output" != *"default via $USER_PREFIX"* ]] || fail "second default route: $output"
  assert_eq "$(b inspect --format '{{.NetworkSettings.Networks.side.IPAddress}}' multi)" "$USER_PREFIX.77"
  assert_match "$(b inspect --format '{{json .NetworkSettings.Networks.side.Aliases}}' multi)" '"sidekick"'
  assert_eq "$(b inspect --format '{{len .NetworkSettings.Networks}}' multi)" 2
  run_berth network connect side multi
  assert_failure
  assert_match "$output" "endpoint with name multi already exists in network side"
  b network disconnect side multi
  run_berth exec multi ls /sys/class/net
  assert_eq "$(tr '\n' ' ' <<<"$output")" "eth0 lo "
  assert_eq "$(b inspect --format '{{len .NetworkSettings.Networks}}' multi)" 1
  run_berth network disconnect side multi
  assert_failure
  assert_match "$output" "is not connected to network side"
  # A stopped container joins at its next start.
  b stop -t 0 multi >/dev/null
  b network connect side multi
  b start multi >/dev/null
  run_berth exec multi ip -o -4 addr show eth1
  assert_match "$output" "inet $(re "$USER_PREFIX")\."
  # Disconnected from the default bridge: only the user network is left.
  b network disconnect bridge multi
  run_berth exec multi ls /sys/class/net
  assert_eq "$(tr '\n' ' ' <<<"$output")" "eth1 lo "
  b restart -t 0 multi >/dev/null
  run_berth exec multi ls /sys/class/net
  assert_eq "$(tr '\n' ' ' <<<"$output")" "eth0 lo "
  assert_eq "$(b inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' multi)" "side "
  b rm -f multi >/dev/null
  b network rm side >/dev/null
}

@test "networks, addresses and endpoints survive kill -9 of berthd; clean shutdown leaves no bridge" {
  b network create --subnet "$USER_PREFIX.0/24" keep >/dev/null
  br="$(net_bridge keep)"
  [[ -z "$br" ]] && br="bb-$(b network inspect --format '{{.Id}}' keep | cut -c1-12)"
  b run -d --name s1 --network keep busybox sh -c "$(httpd_cmd persists)" >/dev/null
  ip="$(b inspect --format '{{.NetworkSettings.Networks.keep.IPAddress}}' s1)"
  wait_http "http://$ip/" persists
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  start_berthd
  assert_eq "$(b network ls -q --filter name=keep | wc -l)" 1
  assert_eq "$(b inspect --format '{{.NetworkSettings.Networks.keep.IPAddress}}' s1)" "$ip"
  wait_http "http://$ip/" persists
  # The address is still held: a new container gets another one.
  b run -d --name s2 --network keep busybox sleep 100 >/dev/null
  assert_ne "$(b inspect --format '{{.NetworkSettings.Networks.keep.IPAddress}}' s2)" "$ip"
  b rm -f s1 s2 >/dev/null
  # Clean shutdown without containers: no bridge, no table; the network
  # comes back with the daemon.
  stop_berthd
  ip link show "$br" >/dev/null 2>&1 && fail "bridge $br left after shutdown"
  [[ -z "$(nft_table_text)" ]] || fail "table left after shutdown"
  start_berthd
  ip link show "$br" >/dev/null || fail "bridge $br not made again"
  b run --rm --network keep busybox true
  b network rm keep >/dev/null
  ip link show "$br" >/dev/null 2>&1 && fail "bridge $br left after rm"
  true
}
