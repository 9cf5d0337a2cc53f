# Assertions shared by the bats suites (tests/e2e/*/helpers.bash source it).
# Each fails the test with a message naming what was checked and the output.

# fail MESSAGE...: prints FAIL: MESSAGE to stderr and returns 1.
fail() {
  echo "FAIL: $*" >&2
  return 1
}

# assert_status EXPECTED [what]: $status (from bats `run`) is EXPECTED.
assert_status() {
  [[ "$status" -eq "$1" ]] || fail "${2:-command}: exit status $status, expected $1; output: $output"
}

# assert_success [what]
assert_success() {
  assert_status 0 "${1:-command}"
}

# assert_failure [what]: non-zero status
assert_failure() {
  [[ "$status" -ne 0 ]] || fail "${1:-command}: succeeded, expected a failure; output: $output"
}

# assert_eq ACTUAL EXPECTED [what]
assert_eq() {
  [[ "$1" == "$2" ]] || fail "${3:-value}: got '$1', expected '$2'"
}

# assert_ne ACTUAL UNEXPECTED [what]
assert_ne() {
  [[ "$1" != "$2" ]] || fail "${3:-value}: got '$1', expected something else"
}

# assert_match ACTUAL ERE [what]
assert_match() {
  [[ "$1" =~ $2 ]] || fail "${3:-value}: '$1' does not match /$2/"
}

# assert_no_match ACTUAL ERE [what]
assert_no_match() {
  [[ ! "$1" =~ $2 ]] || fail "${3:-value}: '$1' matches /$2/ and should not"
}

# polling ----------------------------------------------------------------------

# wait_for TIMEOUT-SECONDS COMMAND...: polls COMMAND until it succeeds; fails
# (returns 1) with a message at the deadline.
wait_for() {
  local timeout="$1"
  shift
  local deadline=$((SECONDS + timeout))
  while ! "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "wait_for: timed out after ${timeout}s: $*" >&2
      return 1
    fi
    sleep 0.05
  done
}

# pid_alive PID: true while PID exists and is not a zombie.
pid_alive() {
  [[ -d /proc/$1 ]] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

pid_gone() {
  ! pid_alive "$1"
}

# prerequisites ------------------------------------------------------------------

# missing_prerequisite MESSAGE: a test cannot run for want of something
# scripts/install-deps provides. Under BERTH_E2E_STRICT=1 (exported by
# scripts/test, i.e. CI) that is a failure; otherwise the test is skipped
# (a developer's machine may lack it). In setup_file it covers the file.
missing_prerequisite() {
  if [[ "${BERTH_E2E_STRICT:-}" == 1 ]]; then
    fail "$1 (BERTH_E2E_STRICT=1: a missing prerequisite is a failure; run scripts/install-deps)"
    return 1
  fi
  skip "$1"
}

# require_tool TOOL [WHAT]: TOOL (a command on PATH, or an absolute path to an
# executable) must be there; else missing_prerequisite.
require_tool() {
  local tool="$1"
  if [[ "$tool" == /* ]]; then
    [[ -x "$tool" ]] && return 0
  else
    command -v "$tool" >/dev/null 2>&1 && return 0
  fi
  missing_prerequisite "$tool not installed${2:+ ($2)}"
}

source "$(dirname "${BASH_SOURCE[0]}")/procs.bash"
