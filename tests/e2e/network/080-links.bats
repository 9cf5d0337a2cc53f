#!/usr/bin/env bats
# Legacy links (--link name[:alias]) on the default bridge: /etc/hosts,
# Docker's variables, errors, inspect, and /etc/hosts following the linked
# container's new address.

load helpers

setup_file() { net_setup_file; }
teardown_file() { net_teardown_file; }
teardown() { net_test_teardown; }

@test "links: /etc/hosts and Docker's variables; web reaches db by the alias" {
  b run -d --name db -e DB_USER=alice -e 'DB_PASS=s3 cret' --expose 5432 --expose 80 \
    busybox sh -c "$(httpd_cmd hello-db)" >/dev/null
  ip="$(container_ip db)"
  short="$(b inspect --format '{{.Id}}' db | cut -c1-12)"
  b run -d --name web --link db:database -e OWN=1 busybox sleep 300 >/dev/null
  run_berth exec web cat /etc/hosts
  assert_success
  assert_match "$output" "$ip	database $short db"
  run_berth exec web env
  assert_success
  env="$output"
  for want in "DATABASE_NAME=/web/database" "DATABASE_PORT=tcp://$ip:80" \
    "DATABASE_PORT_80_TCP=tcp://$ip:80" "DATABASE_PORT_80_TCP_ADDR=$ip" \
    "DATABASE_PORT_80_TCP_PORT=80" "DATABASE_PORT_80_TCP_PROTO=tcp" \
    "DATABASE_PORT_5432_TCP=tcp://$ip:5432" "DATABASE_ENV_DB_USER=alice" \
    "DATABASE_ENV_DB_PASS=s3 cret" "OWN=1"; do
    grep -qxF -- "$want" <<<"$env" || fail "no $want in: $env"
  done
  ! grep -q '^DATABASE_ENV_PATH=' <<<"$env" || fail "PATH of the linked container copied"
  # The alias reaches the linked container.
  wait_for 20 bash -c "'$BERTH' -H '$HOST' exec web wget -qO- http://database/ | grep -q hello-db"
  # A link without an alias uses the name.
  run_berth run --rm --link db busybox sh -c 'cat /etc/hosts; echo; env | grep ^DB_NAME'
  assert_success
  assert_match "$output" "$ip	db $short"
  assert_match "$output" "DB_NAME=/[a-z_]+/db"
  # inspect shows the link as Docker does.
  assert_eq "$(b inspect --format '{{json .HostConfig.Links}}' web)" '["/db:/web/database"]'
  assert_eq "$(b inspect --format '{{json .HostConfig.Links}}' db)" 'null'
}

@test "links: a port range gives each port its variables, no range ones (as docker 20.10)" {
  b run -d --name rng --expose 7000-7002 busybox sleep 300 >/dev/null
  ip="$(container_ip rng)"
  run_berth run --rm --link rng:rr busybox env
  assert_success
  for want in "RR_PORT=tcp://$ip:7000" "RR_PORT_7001_TCP_ADDR=$ip" "RR_PORT_7002_TCP=tcp://$ip:7002"; do
    grep -qxF -- "$want" <<<"$output" || fail "no $want in: $output"
  done
  ! grep -q '_START=' <<<"$output" || fail "range variables: $output"
}

@test "links: a missing or stopped container is refused with Docker's errors" {
  run_berth run --rm --link nosuch:x busybox true
  assert_failure
  assert_match "$output" "could not get container for nosuch"
  b create --name stopped busybox true >/dev/null
  run_berth run --name lnk --link stopped:al busybox true
  assert_failure
  assert_match "$output" "Cannot link to a non running container: /stopped AS /lnk/al"
  run_berth run --rm --network host --link stopped busybox true
  assert_failure
  assert_match "$output" "conflicting options: host type networking can't be used with links"
}

@test "links: /etc/hosts follows the linked container's new address" {
  b run -d --name db busybox sleep 300 >/dev/null
  ip1="$(container_ip db)"
  b run -d --name web --link db:alias busybox sleep 300 >/dev/null
  run_berth exec web grep alias /etc/hosts
  assert_match "$output" "^$ip1	alias"
  # IPAM hands out the next free address after the last one: db comes
  # back with another.
  b stop -t 0 db >/dev/null
  b start db >/dev/null
  ip2="$(container_ip db)"
  assert_ne "$ip2" "$ip1" "db's new address"
  wait_for 10 bash -c "'$BERTH' -H '$HOST' exec web grep -q '^$ip2	alias' /etc/hosts" ||
    fail "hosts not updated: $(b exec web cat /etc/hosts)"
  run_berth exec web ping -c1 -W2 alias
  assert_success
}

@test "links: rm --link drops a link as docker does" {
  b run -d --name db busybox sleep 300 >/dev/null
  b create --name web --link db:database busybox true >/dev/null
  run_berth rm --link /web/database
  assert_success
  assert_eq "$output" "web/database"  # the CLI trims the slashes, as docker 20.10's
  assert_eq "$(b inspect --format '{{json .HostConfig.Links}}' web)" "null"
  run_berth rm --link /web/nosuch
  assert_failure
  assert_match "$output" "No such container: web/nosuch"
  run_berth rm --link web
  assert_failure
  assert_match "$output" "Conflict, cannot remove the default link name of the container"
  # The containers themselves are still there.
  assert_eq "$(state web)" created
  assert_eq "$(state db)" running
}
