# Helpers for the build end-to-end tests (bats): one berthd per file (the
# containers suite's helpers: private roots, busybox:latest), and for the
# comparisons the real dockerd (Debian's docker.io 20.10, classic builder)
# on its own roots, started once per file and stopped by PID.

BT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$BT_DIR/../containers/helpers.bash"

bt_setup_file() {
  ct_setup_file
  export BCTX="$CTDIR/ctx"
  mkdir -p "$BCTX"
}

# mkctx NAME: a fresh, empty context directory $BCTX/NAME; prints its path.
mkctx() {
  local c="$BCTX/$1"
  rm -rf "$c"
  mkdir -p "$c"
  echo "$c"
}

bt_teardown_file() {
  stop_dockerd || true
  ct_teardown_file
}

# start_dockerd: the reference dockerd with its own roots under $CTDIR/docker,
# no bridge, no iptables; busybox:latest loaded from berth (same image ID).
# Fails when dockerd is not installed or does not start.
start_dockerd() {
  command -v dockerd >/dev/null || { echo "dockerd not installed" >&2; return 1; }
  local d="$CTDIR/docker"
  mkdir -p "$d"
  export DSOCK="$d/docker.sock"
  export DHOST="unix://$DSOCK"
  dockerd --data-root "$d/data" --exec-root "$d/exec" -H "$DHOST" \
    --pidfile "$d/dockerd.pid" --bridge=none --iptables=false --ip6tables=false \
    --ip-masq=false --userland-proxy=false --log-level=warn \
    </dev/null >>"$CTDIR/dockerd.log" 2>&1 3>&- &
  export DOCKERD_PID=$!
  echo "$DOCKERD_PID" >"$CTDIR/dockerd.pid"
  local deadline=$((SECONDS + 60))
  until [[ "$(curl -s --max-time 2 --unix-socket "$DSOCK" http://d/_ping 2>/dev/null)" == OK ]]; do
    kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -20 "$CTDIR/dockerd.log" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "dockerd: no /_ping after 60 s" >&2; return 1; }
    sleep 0.1
  done
  b save busybox:latest | dk load >/dev/null
  touch "$CTDIR/dockerd.ok"
}

stop_dockerd() {
  local pid
  pid="$(cat "$CTDIR/dockerd.pid" 2>/dev/null)" || return 0
  stop_dockerd_tree "$pid" || true
  rm -f "$CTDIR/dockerd.pid"
}

# dk ARGS...: Debian's docker CLI (20.10) on the reference dockerd.
dk() {
  DOCKER_BUILDKIT=0 /usr/bin/docker -H "$DHOST" "$@"
}

# need_dockerd: the reference dockerd setup_file started; without it the
# test fails under BERTH_E2E_STRICT=1 (CI) and is skipped otherwise.
need_dockerd() {
  [[ -n "${DHOST:-}" && -S "$DSOCK" && -f "$CTDIR/dockerd.ok" ]] && return 0
  missing_prerequisite "no reference dockerd (not installed or did not start: $(tail -3 "$CTDIR/dockerd.log" 2>/dev/null))"
}

# build_both TAG CONTEXT [ARGS...]: the same build with berth and with
# docker (classic); both must succeed. Tags bt/TAG and dk/TAG.
build_both() {
  local tag="$1" ctx="$2"
  shift 2
  run_berth build -t "bt/$tag" "$@" "$ctx"
  assert_success
  run_cmd env DOCKER_BUILDKIT=0 /usr/bin/docker -H "$DHOST" build -t "dk/$tag" "$@" "$ctx"
  assert_success
}

# config_of CLI IMAGE: the config fields a Dockerfile sets, sorted JSON.
config_of() {
  "$@" --format '{{json .Config}}' | jq -cS '{Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts,
      Volumes, Labels, Healthcheck, StopSignal, OnBuild, Shell}'
}

# files_of CLI IMAGE: every path of the image's filesystem (via a created
# container's export) with type, mode, owner, size, link target and
# contents' hash; the files the engines add to every container left out.
files_of() {
  local cli="$1" image="$2" id
  id="$($cli create "$image" true)" || return 1
  $cli export "$id" | /usr/bin/python3 "$BT_DIR/fslist.py"
  $cli rm -f "$id" >/dev/null
}

# compare TAG: berth's bt/TAG and docker's dk/TAG have the same config,
# history and files.
compare() {
  local tag="$1"
  assert_eq "$(config_of b image inspect "bt/$tag")" "$(config_of dk image inspect "dk/$tag")" \
    "config of $tag"
  local bh dh
  bh="$(b image history --no-trunc --format '{{.CreatedBy}}|{{.Size}}' "bt/$tag" | sed -E 's/(file|dir|multi):[0-9a-f]{64}/\1:HASH/g; s/\|0B$/|empty/; s/\|[0-9.]+[kMG]?B$/|data/')"
  dh="$(dk image history --no-trunc --format '{{.CreatedBy}}|{{.Size}}' "dk/$tag" | sed -E 's/(file|dir|multi):[0-9a-f]{64}/\1:HASH/g; s/\|0B$/|empty/; s/\|[0-9.]+[kMG]?B$/|data/')"
  assert_eq "$bh" "$dh" "history of $tag"
  assert_eq "$(b image inspect -f '{{len .RootFS.Layers}}' "bt/$tag")" \
    "$(dk image inspect -f '{{len .RootFS.Layers}}' "dk/$tag")" "layer count of $tag"
  local bf df
  bf="$(files_of "$BERTH -H $HOST" "bt/$tag")"
  df="$(files_of "/usr/bin/docker -H $DHOST" "dk/$tag")"
  if [[ "$bf" != "$df" ]]; then
    diff <(echo "$bf") <(echo "$df") >&2 || true
    fail "files of $tag differ (< berth, > docker)"
  fi
}

# no_containers: the berth daemon has no container left.
no_containers() {
  assert_eq "$(b ps -aq)" "" "containers left"
}
