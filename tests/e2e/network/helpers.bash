# Helpers of the networking suites: the container suites' daemon (its own
# bridge, subnet and nft table: ../lib/net.bash), plus a check after every
# test that the containers it removed left no veth, namespace, published
# port or IP allocation behind.

load ../containers/helpers

net_setup_file() { ct_setup_file; }
net_teardown_file() { ct_teardown_file; }

# net_test_teardown: each test's teardown (not to be confused with
# ../lib/net.bash's net_teardown DIR, which ct_teardown_file calls to remove
# the bridge, nft table and veths).
net_test_teardown() {
  ct_teardown
  # The networks a test left are removed (and reported).
  local nets
  nets="$("$BERTH" -H "$HOST" network ls -q --filter type=custom 2>/dev/null)" || true
  [[ -z "$nets" ]] || "$BERTH" -H "$HOST" network rm $nets >/dev/null 2>&1 || true
  assert_no_leftovers
  [[ -z "$nets" ]] || fail "networks left by the test: $nets"
}

# assert_no_leftovers: nothing of a container's networking is left.
no_leftovers() {
  [[ -z "$(net_leftovers "$EXEC" "$DATA")" ]]
}

assert_no_leftovers() {
  local left
  wait_for 10 no_leftovers || true
  left="$(net_leftovers "$EXEC" "$DATA")"
  [[ -z "$left" ]] || fail "leftovers: $left"
}

# httpd_cmd TEXT: a busybox web server on port 80 serving TEXT at /.
httpd_cmd() {
  echo "mkdir -p /www && echo $1 >/www/index.html && exec httpd -f -p 80 -h /www"
}

# wait_http URL TEXT: polls the URL from the host until it serves TEXT.
wait_http() {
  wait_for 20 bash -c "curl -s --max-time 2 '$1' | grep -qF '$2'"
}

# container_ip NAME
container_ip() {
  b inspect --format '{{.NetworkSettings.IPAddress}}' "$1"
}

# free_port: a TCP port free on the host now (the kernel's pick).
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("0.0.0.0", 0)); print(s.getsockname()[1])'
}

# host_addr: a non-loopback address of the host (eth0's, else the bridge's).
host_addr() {
  ip -o -4 addr show scope global | awk -v br="$BRIDGE" '$2 != br && $2 !~ /^(bt|bc|bb)/ {split($4, a, "/"); print a[1]; exit}'
}
