# Helpers for the volume end-to-end tests: the container suites' daemon and
# busybox image (../containers/helpers.bash), plus volume cleanup between
# tests.

VOL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$VOL_DIR/../containers/helpers.bash"

vol_teardown() {
  ct_teardown
  local vs
  vs="$("$BERTH" -H "$HOST" volume ls -q 2>/dev/null)" || true
  [[ -z "$vs" ]] || "$BERTH" -H "$HOST" volume rm -f $vs >/dev/null 2>&1 || true
}

# host_mounted PATH: something is mounted on PATH in berthd's (the host's)
# mount namespace.
host_mounted() {
  awk -v p="$1" '$5 == p {found=1} END {exit !found}' /proc/self/mountinfo
}
