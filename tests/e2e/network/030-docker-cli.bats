#!/usr/bin/env bats
# The real docker CLIs (20.10 and 28.x) against berthd: published ports,
# port, ps PORTS, network ls/inspect, inspect's NetworkSettings.

load helpers
load ../lib/docker_cli

setup_file() {
  need_docker_clients || return 1
  net_setup_file
}
teardown_file() { net_teardown_file; }
teardown() { net_test_teardown; }

# clients, dk: ../lib/docker_cli.bash.

@test "docker run -p, port, ps and inspect against berthd" {
  local c port n=0
  for c in $(clients); do
    n=$((n + 1))
    port="$(free_port)"
    dk "$c" run -d --name "web$n" -p "$port:80" busybox sh -c "$(httpd_cmd "docker-cli-$n")" >/dev/null
    wait_http "http://127.0.0.1:$port/" "docker-cli-$n"
    assert_eq "$(dk "$c" port "web$n" 80)" "0.0.0.0:$port" "$c port"
    assert_eq "$(dk "$c" ps --format '{{.Ports}}' --filter "name=web$n")" "0.0.0.0:$port->80/tcp" "$c ps"
    ip="$(dk "$c" inspect --format '{{.NetworkSettings.IPAddress}}' "web$n")"
    assert_match "$ip" "^${SUBNET_PREFIX//./\\.}\." "$c inspect"
    run dk "$c" run --rm busybox wget -qO- "http://$ip/"
    assert_eq "$output" "docker-cli-$n" "$c container to container"
    dk "$c" rm -f "web$n" >/dev/null
  done
}

@test "docker network ls / inspect show berthd's predefined networks" {
  local c
  for c in $(clients); do
    run dk "$c" network ls --format '{{.Name}} {{.Driver}}'
    assert_success
    assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "bridge bridge host host none null " "$c network ls"
    run dk "$c" network inspect --format '{{(index .IPAM.Config 0).Subnet}}' bridge
    assert_eq "$output" "$SUBNET_PREFIX.0/24" "$c network inspect"
    run dk "$c" network rm bridge
    assert_failure
    assert_match "$output" "pre-defined network"
    run dk "$c" run --rm --network nosuch busybox true
    assert_failure
    assert_match "$output" "network nosuch not found"
  done
}

@test "docker run --link, --dns-search, --add-host against berthd" {
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    dk "$c" run -d --name "ldb$n" -e DB_USER=alice --expose 5432 busybox sh -c "$(httpd_cmd "link-$n")" >/dev/null
    ip="$(dk "$c" inspect --format '{{.NetworkSettings.IPAddress}}' "ldb$n")"
    run dk "$c" run --rm --name "lweb$n" --link "ldb$n:db" --dns-search example.test \
      --add-host extra.example:10.9.8.7 busybox sh -c \
      'cat /etc/hosts /etc/resolv.conf; env | grep ^DB_; wget -qO- http://db/'
    assert_success
    assert_match "$output" "$ip	db [0-9a-f]{12} ldb$n"
    assert_match "$output" "10\.9\.8\.7	extra\.example"
    assert_match "$output" "search example\.test"
    assert_match "$output" "nameserver 127\.0\.0\.11"
    assert_match "$output" "DB_NAME=/lweb$n/db"
    assert_match "$output" "DB_PORT_5432_TCP_ADDR=$ip"
    assert_match "$output" "DB_ENV_DB_USER=alice"
    assert_match "$output" "link-$n"
    run dk "$c" run --rm --link nosuch:x busybox true
    assert_failure
    assert_match "$output" "could not get container for nosuch"
    dk "$c" rm -f "ldb$n" >/dev/null
  done
}
