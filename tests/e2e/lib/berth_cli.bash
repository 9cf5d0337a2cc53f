# The berth CLI and the Engine API on the test's daemon, for the berthd
# suites (images/, containers/): BERTH is the CLI, HOST the daemon
# ("unix://…"), SOCK its socket.

# b ARGS...: the berth CLI (no bats `run`).
b() {
  "$BERTH" -H "$HOST" "$@"
}

# run_berth ARGS...: bats `run` of the CLI (killed after E2E_TIMEOUT seconds,
# default 60), the command and its output logged for failures.
run_berth() {
  run timeout -k 5 "${E2E_TIMEOUT:-60}" "$BERTH" -H "$HOST" "$@"
  echo "# berth $* -> status $status" >&2
  [[ -z "$output" ]] || printf '%s\n' "$output" | sed 's/^/#   /' >&2
}

# run_cmd CMD ARGS...: bats `run` with the same logging and timeout.
run_cmd() {
  run timeout -k 5 "${E2E_TIMEOUT:-60}" "$@"
  echo "# $* -> status $status" >&2
  [[ -z "$output" ]] || printf '%s\n' "$output" | sed 's/^/#   /' >&2
}

# api METHOD PATH [curl args...]: the body, then the HTTP status on the last line.
api() {
  local method="$1" path="$2"
  shift 2
  curl -s --max-time 60 --unix-socket "$SOCK" -X "$method" -w '\n%{http_code}' "$@" "http://d$path"
}
