#!/usr/bin/env bats
# Isolation between networks (no forwarding between berth's bridges),
# --internal networks (no way out, but peers talk), published ports on a
# user-defined network, and the real docker CLIs driving networks.

load helpers

setup_file() { net_setup_file; }
teardown_file() { net_teardown_file; }
teardown() { net_test_teardown; }

re() { printf '%s' "${1//./\\.}"; }

# reach FROM IP: FROM fetches http://IP/ within 3 s (succeeds or fails;
# not wget -T: this busybox's wget crashes with it).
reach() {
  b exec "$1" timeout -s KILL 3 wget -q -O- "http://$2/" >/dev/null 2>&1
}

@test "containers on different networks cannot reach each other; a container on both reaches both" {
  b network create neta >/dev/null
  b network create netb >/dev/null
  b run -d --name a1 --network neta busybox sh -c "$(httpd_cmd on-a)" >/dev/null
  b run -d --name b1 --network netb busybox sh -c "$(httpd_cmd on-b)" >/dev/null
  b run -d --name a2 --network neta busybox sleep 1000 >/dev/null
  ipa="$(b inspect --format '{{.NetworkSettings.Networks.neta.IPAddress}}' a1)"
  ipb="$(b inspect --format '{{.NetworkSettings.Networks.netb.IPAddress}}' b1)"
  wait_for 20 reach a2 "$ipa"
  reach a2 "$ipb" && fail "a2 on neta reached b1 on netb ($ipb)"
  reach b1 "$ipa" && fail "b1 on netb reached a1 on neta ($ipa)"
  # Nor from the default bridge.
  b run -d --name d1 busybox sleep 1000 >/dev/null
  reach d1 "$ipa" && fail "a container on the default bridge reached a1 ($ipa)"
  # The rule is in berth's own table.
  assert_match "$(nft_table_text)" "iifname \"$BRIDGE\" oifname \{"
  # Connected to both: reaches both.
  b network connect netb a2
  wait_for 20 reach a2 "$ipb"
  reach a2 "$ipa" || fail "a2 lost neta"
  b rm -f a1 b1 a2 d1 >/dev/null
  b network rm neta netb >/dev/null
}

@test "--internal: no default route, no masquerade, no way out; peers on it talk" {
  b network create --internal --subnet "$USER_PREFIX.0/24" priv >/dev/null
  br="bb-$(b network inspect --format '{{.Id}}' priv | cut -c1-12)"
  assert_eq "$(b network inspect --format '{{.Internal}}' priv)" true
  assert_eq "$(b network ls --filter name=priv --format '{{.Internal}}')" true
  b run -d --name p1 --network priv busybox sh -c "$(httpd_cmd private)" >/dev/null
  b run -d --name p2 --network priv busybox sleep 1000 >/dev/null
  ip1="$(b inspect --format '{{.NetworkSettings.Networks.priv.IPAddress}}' p1)"
  run_berth exec p2 ip route
  assert_success
  [[ "$output" != *default* ]] || fail "default route on an internal network: $output"
  assert_match "$output" "$(re "$USER_PREFIX")\.0/24 dev eth0"
  wait_for 20 reach p2 "$ip1"
  # No masquerade for its subnet; forwarding out of its bridge dropped.
  table="$(nft_table_text)"
  [[ "$table" != *"ip saddr $USER_PREFIX.0/24 oifname"* ]] || fail "internal subnet masqueraded"
  assert_match "$table" "iifname \"$br\" oifname != \"$br\" drop"
  # The default bridge's gateway (a host address) is unreachable.
  run_berth exec p2 timeout -s KILL 3 wget -q -O- "http://$SUBNET_PREFIX.1:1/"
  assert_failure
  assert_match "$output" "unreachable|timed out"
  b rm -f p1 p2 >/dev/null
  b network rm priv >/dev/null
}

@test "published ports work on a user-defined network" {
  b network create pubnet >/dev/null
  port="$(free_port)"
  b run -d --name pw --network pubnet -p "$port:80" busybox sh -c "$(httpd_cmd published-user)" >/dev/null
  wait_http "http://127.0.0.1:$port/" published-user
  assert_eq "$(b port pw 80)" "0.0.0.0:$port"
  assert_eq "$(b inspect --format '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}' pw)" "$port"
  b rm -f pw >/dev/null
  b network rm pubnet >/dev/null
}

dk() {
  local c="$1"
  shift
  env -u DOCKER_HOST -u DOCKER_CONTEXT DOCKER_CONFIG="$CTDIR/dockercfg" "$c" -H "$HOST" "$@"
}

@test "docker CLIs (20.10, 28): network create/ls/inspect/connect/disconnect/rm against berthd" {
  local c n=0
  for c in /usr/bin/docker /usr/local/bin/docker; do
    [[ -x "$c" ]] || continue
    n=$((n + 1))
    run dk "$c" network create --subnet "$USER_PREFIX.0/24" --label k=v "dn$n"
    assert_success
    id="$output"
    assert_eq "$(dk "$c" network ls --filter "name=dn$n" --format '{{.Name}} {{.Driver}} {{.Scope}}')" \
      "dn$n bridge local" "$c ls"
    assert_eq "$(dk "$c" network inspect --format '{{(index .IPAM.Config 0).Subnet}} {{.Labels.k}}' "dn$n")" \
      "$USER_PREFIX.0/24 v" "$c inspect"
    dk "$c" run -d --name "dc$n" --network "dn$n" --network-alias "al$n" --ip "$USER_PREFIX.9" \
      busybox sleep 1000 >/dev/null
    assert_eq "$(dk "$c" inspect --format "{{(index .NetworkSettings.Networks \"dn$n\").IPAddress}}" "dc$n")" \
      "$USER_PREFIX.9" "$c run --ip"
    dk "$c" network connect bridge "dc$n"
    assert_eq "$(dk "$c" inspect --format '{{len .NetworkSettings.Networks}}' "dc$n")" 2 "$c connect"
    dk "$c" network disconnect bridge "dc$n"
    run dk "$c" network rm "dn$n"
    assert_failure
    assert_match "$output" "has active endpoints"
    dk "$c" rm -f "dc$n" >/dev/null
    run dk "$c" network rm "dn$n"
    assert_success
    run dk "$c" network inspect "dn$n"
    assert_failure
    assert_match "$output" "not found|No such network"
  done
}
