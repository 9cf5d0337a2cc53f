#!/usr/bin/env bats
# The real Docker (Debian's docker.io 20.10: its own dockerd on private roots,
# --bridge=none, stopped by PID) against berth-registry on 127.0.0.1, which
# Docker treats as an insecure registry by default: login, push, pull,
# search, logout, namespaces and private repositories.

load helpers

# start_dockerd: dockerd with its own roots under $TESTDIR/docker; sets D
# (the docker CLI command line). DOCKER_CONFIG keeps logins in TESTDIR.
start_dockerd() {
  require_tool dockerd "Debian's docker.io" || return 1
  local d="$TESTDIR/docker"
  mkdir -p "$d"
  dockerd --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/docker.sock" \
    --pidfile "$d/dockerd.pid" --bridge=none --iptables=false --ip6tables=false \
    --ip-masq=false --userland-proxy=false --log-level=warn \
    </dev/null >>"$TESTDIR/dockerd.log" 2>&1 3>&- &
  DOCKERD_PID=$!
  _PIDS+=("$DOCKERD_PID")
  defer "stop_dockerd"
  export DOCKER_CONFIG="$TESTDIR/docker-config"
  D=(/usr/bin/docker -H "unix://$d/docker.sock")
  wait_for 60 curl -sf --unix-socket "$d/docker.sock" http://d/_ping \
    || fail "dockerd did not start: $(tail -20 "$TESTDIR/dockerd.log")"
}

# stop_dockerd (teardown): dockerd and the containerd it started, by PID.
stop_dockerd() {
  stop_dockerd_tree "$DOCKERD_PID"
}

@test "docker login/push/pull/search/logout against berth-registry with users" {
  reg user add alice --password alice-pw >/dev/null
  reg user add bob --password bob-pw >/dev/null
  start_registry
  start_dockerd
  test_image "$TESTDIR/img.tar" --format docker
  "${D[@]}" load -i "$TESTDIR/img.tar" >/dev/null
  "${D[@]}" tag t/img:1 "$REG/alice/img:1"
  "${D[@]}" tag t/img:1 "$REG/bob/img:1"

  run "${D[@]}" login -u alice -p wrong "$REG"
  assert_failure "login with a wrong password"
  assert_match "$output" "incorrect username or password"
  run "${D[@]}" login -u alice -p alice-pw "$REG"
  assert_success "login"
  assert_match "$output" "Login Succeeded"
  run "${D[@]}" push "$REG/alice/img:1"
  assert_success "push"
  assert_match "$output" "1: digest: sha256:[0-9a-f]{64} size: [0-9]+"
  local digest
  digest="$(grep -o 'sha256:[0-9a-f]*' <<<"$output" | tail -1)"
  run "${D[@]}" push "$REG/bob/img:1"
  assert_failure "push into bob's namespace"
  assert_match "$output" "denied"

  "${D[@]}" rmi "$REG/alice/img:1" "$REG/bob/img:1" t/img:1 >/dev/null
  run "${D[@]}" pull "$REG/alice/img:1"
  assert_success "pull"
  assert_match "$output" "Digest: $digest"
  assert_eq "$("${D[@]}" image inspect -f '{{index .RepoDigests 0}}' "$REG/alice/img:1")" "$REG/alice/img@$digest"

  curl -s -u alice:alice-pw -X PUT -d '{"description":"alice test image"}' \
    "http://$REG/berth/v1/repositories/alice/img" >/dev/null
  run "${D[@]}" search "$REG/img"
  assert_success "search"
  assert_match "$output" "alice/img +alice test image +0"

  run "${D[@]}" logout "$REG"
  assert_success
  # public: anonymous pull through the token flow
  "${D[@]}" rmi "$REG/alice/img:1" >/dev/null
  run "${D[@]}" pull "$REG/alice/img:1"
  assert_success "anonymous pull of a public repository"
  # private: refused anonymously and to bob, allowed to alice
  reg repo set alice/img --private >/dev/null
  "${D[@]}" rmi "$REG/alice/img:1" >/dev/null
  run "${D[@]}" pull "$REG/alice/img:1"
  assert_failure "anonymous pull of a private repository"
  run "${D[@]}" search "$REG/img"
  assert_no_match "$output" "alice/img" "anonymous search"
  "${D[@]}" login -u bob -p bob-pw "$REG" >/dev/null 2>&1
  run "${D[@]}" pull "$REG/alice/img:1"
  assert_failure "bob pulls alice's private repository"
  "${D[@]}" login -u alice -p alice-pw "$REG" >/dev/null 2>&1
  run "${D[@]}" pull "$REG/alice/img:1"
  assert_success "alice pulls her private repository"
}

@test "docker push/pull against an open berth-registry (no users), then the same against docker-registry" {
  start_registry
  start_dockerd
  test_image "$TESTDIR/img.tar" --format docker
  "${D[@]}" load -i "$TESTDIR/img.tar" >/dev/null
  "${D[@]}" tag t/img:1 "$REG/lib/img:1"
  run "${D[@]}" push "$REG/lib/img:1"
  assert_success "push"
  local ours
  ours="$(grep -o 'sha256:[0-9a-f]*' <<<"$output" | tail -1)"
  "${D[@]}" rmi "$REG/lib/img:1" >/dev/null
  run "${D[@]}" pull "$REG/lib/img:1"
  assert_success "pull"
  # the reference registry computes the same manifest digest for the same push
  require_tool docker-registry "Debian's docker-registry"
  local port
  port="$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  mkdir -p "$TESTDIR/dr"
  cat >"$TESTDIR/dr/config.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $TESTDIR/dr/data
http:
  addr: 127.0.0.1:$port
YML
  docker-registry serve "$TESTDIR/dr/config.yml" >"$TESTDIR/dr/log" 2>&1 &
  _PIDS+=($!)
  wait_for 20 curl -sf "http://127.0.0.1:$port/v2/" || fail "docker-registry did not start"
  "${D[@]}" tag "$REG/lib/img:1" "127.0.0.1:$port/lib/img:1"
  run "${D[@]}" push "127.0.0.1:$port/lib/img:1"
  assert_success "push to docker-registry"
  assert_eq "$(grep -o 'sha256:[0-9a-f]*' <<<"$output" | tail -1)" "$ours" "same manifest digest"
}
