#!/usr/bin/env bats
# Interrupted transfers: berth-registry killed in the middle of a pull or a
# push (a loopback proxy, flakyproxy.py, holds the transfer still while the
# test kills it), then restarted on the same --root and address. A pull
# resumes with a Range request where it stopped; a push leaves nothing
# visible and, run again, continues the upload from the registry's Range.

load helpers

setup_file() {
  require_tool "$BERTH_REGISTRY" "berth-registry: ninja berth-registry" || return 1
  require_tool docker-registry "Debian's docker-registry" || return 1
  dt_setup_file
}

teardown_file() { dt_teardown_file; }

teardown() { ct_teardown; }

# reg_up NAME [ADDR]: berth-registry on NAME's root (a free port, or ADDR);
# sets REG and REG_PID.
reg_up() {
  local dir="$CTDIR/$1" addr="${2:-127.0.0.1:0}"
  mkdir -p "$dir/root"
  rm -f "$dir/addr"
  "$BERTH_REGISTRY" --root "$dir/root" --addr "$addr" --addr-file "$dir/addr" \
    </dev/null >>"$dir/log" 2>&1 3>&- &
  REG_PID=$!
  echo "$REG_PID" >>"$CTDIR/registry.pids"
  wait_for 20 test -s "$dir/addr" || { cat "$dir/log" >&2; return 1; }
  REG="$(cat "$dir/addr")"
}

reg_kill() {
  kill -KILL "$REG_PID"
  wait_for 10 pid_gone "$REG_PID"
}

# proxy_up NAME ARGS...: flakyproxy.py in $CTDIR/NAME in front of $REG; sets VIA.
proxy_up() {
  local dir="$CTDIR/$1"
  shift
  mkdir -p "$dir"
  "$PY" "$DT_DIR/flakyproxy.py" "$dir" "${REG##*:}" "$@" </dev/null 2>>"$dir/err" &
  echo $! >>"$CTDIR/registry.pids"
  wait_for 10 test -s "$dir/port"
  VIA="127.0.0.1:$(cat "$dir/port")"
}

# big_image REF MB: one layer of MB MiB of incompressible data.
big_image() {
  local safe="${1//[\/:]/_}"
  "$PY" "$MKIMAGE" datalayer "$CTDIR/$safe.layer" big.bin $(($2 << 20)) "$1"
  "$PY" "$MKIMAGE" archive "$CTDIR/$safe.tar" --tag "$1" "$CTDIR/$safe.layer" >/dev/null
  b load -i "$CTDIR/$safe.tar" >/dev/null
}

# sum_log FILE PATTERN FIELD: the sum of FIELD=N over the lines matching PATTERN.
sum_log() {
  grep -E "$2" "$1" | sed -E "s/.* $3=([0-9]+).*/\1/" | awk '{s += $1} END {print s + 0}'
}

@test "a registry killed mid-download: the pull resumes after its restart, each byte fetched once" {
  reg_up pullreg
  big_image "$REG/big:1" 40
  local id size layer
  id="$(image_id "$REG/big:1")"
  run_berth push "$REG/big:1"
  assert_success
  read -r layer size < <(curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REG/v2/big/manifests/1" | "$PY" -c \
    'import json,sys; l=json.load(sys.stdin)["layers"][0]; print(l["digest"], l["size"])')
  b rmi "$REG/big:1" >/dev/null
  proxy_up px-pull --stall-get-after 10000000
  local regaddr="$REG"
  b pull "$VIA/big:1" >"$CTDIR/pull.out" 2>&1 &
  local pull=$!
  wait_for 60 test -e "$CTDIR/px-pull/stalled" || fail "the download never reached the stall"
  reg_kill
  touch "$CTDIR/px-pull/go"
  # The client tries again while the registry is down (502 from the proxy) ...
  wait_for 30 grep -q "status=502" "$CTDIR/px-pull/log" || fail "no retry while the registry was down"
  # ... and gets through once it is back on the same address and root.
  reg_up pullreg "$regaddr"
  local rc=0
  wait "$pull" || rc=$?
  cat "$CTDIR/pull.out"
  assert_eq "$rc" 0 "pull exit status"
  assert_eq "$(image_id "$VIA/big:1")" "$id" "image after the resumed download"
  grep -q "GET /v2/big/blobs/$layer range=bytes=10000000- " "$CTDIR/px-pull/log" ||
    fail "no resume from byte 10000000: $(cat "$CTDIR/px-pull/log")"
  local got
  got="$(sum_log "$CTDIR/px-pull/log" "^GET /v2/big/blobs/$layer " out)"
  assert_eq "$got" "$size" "layer bytes sent to berthd in all (the blob is $size)"
}

@test "a registry killed mid-upload: nothing visible; push again resumes the upload where it stopped" {
  reg_up pushreg
  local regaddr="$REG" root="$CTDIR/pushreg/root"
  proxy_up px-push --stall-patch-after 20000000
  # A first tag, so the repository exists before the interrupted push.
  b tag busybox "$VIA/up:0"
  run_berth push "$VIA/up:0"
  assert_success
  local tags blobs
  tags="$(curl -s "http://$REG/v2/up/tags/list")"
  blobs="$(find "$root/blobs" -type f | sort)"
  big_image "$VIA/up:1" 48
  local id
  id="$(image_id "$VIA/up:1")"
  b push "$VIA/up:1" >"$CTDIR/push1.out" 2>&1 &
  local push=$!
  wait_for 60 test -e "$CTDIR/px-push/stalled" || fail "the upload never reached the stall"
  reg_kill
  touch "$CTDIR/px-push/go"
  # With the registry away, the push gives up after its retries.
  local rc=0
  wait "$push" || rc=$?
  cat "$CTDIR/push1.out"
  assert_eq "$rc" 1 "exit status of the interrupted push"
  assert_match "$(cat "$CTDIR/push1.out")" "502 Bad Gateway"
  reg_up pushreg "$regaddr"
  # Nothing of the half-sent blob is visible: same tags, same blobs.
  assert_eq "$(curl -s "http://$REG/v2/up/tags/list")" "$tags" "tags after the interrupted push"
  assert_eq "$(find "$root/blobs" -type f | sort)" "$blobs" "blobs after the interrupted push"
  local held
  held="$(stat -c %s "$root"/uploads/*/data)"
  ((held > 1000000)) || fail "the registry kept $held bytes of the upload"
  # Again: the upload resumes from what the registry holds.
  : >"$CTDIR/px-push/log"
  run_berth push "$VIA/up:1"
  assert_success
  assert_match "$output" "1: digest: sha256:"
  local first_range
  first_range="$(grep -m1 '^PATCH ' "$CTDIR/px-push/log" | sed -E 's/.*content-range=([0-9]+)-.*/\1/')"
  assert_eq "$first_range" "$held" "the second push starts at the registry's size"
  local size sent
  size="$(curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REG/v2/up/manifests/1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["layers"][0]["size"])')"
  sent="$(sum_log "$CTDIR/px-push/log" '^PATCH ' in)"
  assert_eq "$sent" "$((size - held))" "bytes sent by the second push"
  # The blob is whole: a pull elsewhere gets the same image.
  b rmi "$VIA/up:1" >/dev/null
  run_berth pull "$REG/up:1"
  assert_success
  assert_eq "$(image_id "$REG/up:1")" "$id" "image pulled after the resumed push"
}

@test "the same against docker-registry: nothing visible in between; it forgot the upload, so the second push starts over" {
  start_registry dreg
  local regaddr="$REG" regpid=$!
  proxy_up px-dpush --stall-patch-after 20000000
  big_image "$VIA/dup:1" 40
  local id
  id="$(image_id "$VIA/dup:1")"
  b push "$VIA/dup:1" >"$CTDIR/dpush1.out" 2>&1 &
  local push=$!
  wait_for 60 test -e "$CTDIR/px-dpush/stalled" || fail "the upload never reached the stall"
  kill -KILL "$regpid"
  wait_for 10 pid_gone "$regpid"
  touch "$CTDIR/px-dpush/go"
  local rc=0
  wait "$push" || rc=$?
  cat "$CTDIR/dpush1.out"
  assert_eq "$rc" 1 "exit status of the interrupted push"
  docker-registry serve "$CTDIR/dreg/config.yml" >>"$CTDIR/dreg/log" 2>&1 &
  echo $! >>"$CTDIR/registry.pids"
  wait_for 20 curl -s -o /dev/null "http://$regaddr/v2/" || fail "docker-registry did not restart"
  run curl -s -o /dev/null -w '%{http_code}' "http://$regaddr/v2/dup/tags/list"
  assert_eq "$output" 404 "no repository before the push completes"
  : >"$CTDIR/px-dpush/log"
  run_berth push "$VIA/dup:1"
  assert_success
  # The upload left by the first push was asked for (404), then a new one
  # sent from byte 0.
  grep -q '^GET /v2/dup/blobs/uploads/.* status=404$' "$CTDIR/px-dpush/log" ||
    fail "the old upload was not asked for: $(cat "$CTDIR/px-dpush/log")"
  assert_match "$(grep -m1 '^PATCH ' "$CTDIR/px-dpush/log")" "content-range=0-"
  b rmi "$VIA/dup:1" >/dev/null
  run_berth pull "$regaddr/dup:1"
  assert_success
  assert_eq "$(image_id "$regaddr/dup:1")" "$id" "image pulled after the second push"
}
