#!/usr/bin/env bats
# The real docker CLIs (Debian's 20.10 and the 28.x client, legacy builder)
# build against berthd.

load helpers

setup_file() { bt_setup_file; }
teardown_file() { bt_teardown_file; }
teardown() { ct_teardown; }

ctx() {
  local c="$BCTX/cli"
  rm -rf "$c"
  mkdir -p "$c"
  echo hello >"$c/hello.txt"
  printf 'hello.txt.bak\n' >"$c/.dockerignore"
  printf 'FROM busybox\nARG WHO=nobody\nCOPY hello.txt /\nRUN echo "built by $WHO" > /who\nCMD ["cat", "/who"]\n' >"$c/Dockerfile"
  echo "$c"
}

@test "docker 20.10 build (classic) against berthd: output, tag, build args, exit codes" {
  local c
  c="$(ctx)"
  run_cmd env DOCKER_BUILDKIT=0 /usr/bin/docker -H "$HOST" build -t cli:1 --build-arg WHO=docker "$c"
  assert_success
  assert_match "$output" "Sending build context to Docker daemon"
  assert_match "$output" "Step 4/5 : RUN echo \"built by \\\$WHO\" > /who"
  assert_match "$output" "Successfully tagged cli:1"
  assert_eq "$(b run --rm cli:1)" "built by docker"
  run_cmd env DOCKER_BUILDKIT=0 /usr/bin/docker -H "$HOST" build -q -t cli:1 --build-arg WHO=docker "$c"
  assert_success
  assert_eq "$output" "$(b image inspect -f '{{.Id}}' cli:1)" "-q prints the ID"
  printf 'FROM busybox\nRUN exit 4\n' >"$c/Dockerfile"
  run_cmd env DOCKER_BUILDKIT=0 /usr/bin/docker -H "$HOST" build "$c"
  assert_status 4
  assert_match "$output" "returned a non-zero code: 4"
  printf 'FROM busybox\nNOPE x\n' >"$c/Dockerfile"
  run_cmd env DOCKER_BUILDKIT=0 /usr/bin/docker -H "$HOST" build "$c"
  assert_status 1
  assert_match "$output" "line 2: unknown instruction: NOPE"
  no_containers
}

@test "docker 28 (legacy builder) builds against berthd" {
  [[ -x /usr/local/bin/docker ]] || skip "no docker 28 client"
  local c
  c="$(ctx)"
  run_cmd env DOCKER_BUILDKIT=0 /usr/local/bin/docker -H "$HOST" build -t cli:28 "$c"
  assert_success
  assert_match "$output" "Successfully tagged cli:28"
  assert_eq "$(b run --rm cli:28)" "built by nobody"
}
