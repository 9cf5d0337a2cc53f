# The real docker CLIs against a test's berthd ($HOST): Debian's 20.10
# client (/usr/bin/docker, docker.io, which scripts/install-deps installs:
# required) and the 28.x client (/usr/local/bin/docker, which nothing
# installs: used when present, else said in the test output). Every call
# runs with this file's DOCKER_CONFIG (ct_setup_file makes one per file), so
# the real user's ~/.docker is never read or written.

DOCKER_CLI_20=/usr/bin/docker
DOCKER_CLI_28=/usr/local/bin/docker

# need_docker_clients (setup_file): the 20.10 client is required
# (require_tool); says on the TAP output when the 28.x client is absent.
need_docker_clients() {
  require_tool "$DOCKER_CLI_20" "the docker 20.10 client, Debian's docker.io" || return 1
  [[ -x "$DOCKER_CLI_28" ]] ||
    echo "# $DOCKER_CLI_28 (docker 28.x) not installed: only the 20.10 client is tested" >&3
}

# clients: the docker CLIs to test with, 20.10 first.
clients() {
  echo "$DOCKER_CLI_20"
  [[ ! -x "$DOCKER_CLI_28" ]] || echo "$DOCKER_CLI_28"
}

# dk CLIENT ARGS...: a docker client on berthd (no bats `run`).
dk() {
  local c="$1"
  shift
  env -u DOCKER_HOST -u DOCKER_CONTEXT DOCKER_CONFIG="${DOCKER_CONFIG:?}" "$c" -H "$HOST" "$@"
}

# run_docker CLIENT ARGS...: bats `run` of a docker client on berthd.
run_docker() {
  local c="$1"
  shift
  run_cmd env -u DOCKER_HOST -u DOCKER_CONTEXT DOCKER_CONFIG="${DOCKER_CONFIG:?}" "$c" -H "$HOST" "$@"
}
