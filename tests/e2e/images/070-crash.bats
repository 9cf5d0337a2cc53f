#!/usr/bin/env bats
# Crash safety: berthd killed with SIGKILL in the middle of a load, then
# restarted on the same roots. The image is there whole or not at all; no
# orphan blob, layer dir or scratch file survives start-up; a new load works.

load helpers

# big_archive: a docker-archive of 3 layers x 40 MB of incompressible data
# (deterministic), made once per file. Sets BIG_TAR (its path) and BIG_ID.
big_archive() {
  local a="$BATS_FILE_TMPDIR/big.tar"
  if [[ ! -s "$a" ]]; then
    local i layers=()
    for i in 1 2 3; do
      "$PY" "$MKIMAGE" datalayer "$BATS_FILE_TMPDIR/big-l$i.tar" "data$i.bin" 40000000 "crash-$i"
      layers+=("$BATS_FILE_TMPDIR/big-l$i.tar")
    done
    archive "$a.new" --tag crash/big:1 "${layers[@]}" >"$BATS_FILE_TMPDIR/big.id"
    rm -f "${layers[@]}"
    mv "$a.new" "$a"
  fi
  BIG_ID="$(cat "$BATS_FILE_TMPDIR/big.id")"
  BIG_TAR="$a"
}

# loading_started: some bytes of the load are on disk in the store (an
# ingest file, a scratch file or a layer being unpacked).
loading_started() {
  local root="$DATA/image"
  [[ -n "$(find "$root/content/ingest" "$root/tmp" "$root/layers" "$root/content/blobs" \
      -type f -size +1k 2>/dev/null | head -1)" ]]
}

# unpack_started: a layer directory has content.
unpack_started() {
  [[ -n "$(find "$DATA/image/layers" -name 'data*.bin' -size +1k 2>/dev/null | head -1)" ]]
}

# assert_store_consistent: every blob, layer dir and scratch file belongs to
# a listed image; a listed image is whole.
assert_store_consistent() {
  local root="$DATA/image" id want_blobs="" want_layers=""
  for id in $(image_ids); do
    want_blobs+="${id#sha256:}"$'\n'
    local l
    for l in $(b image inspect -f '{{range .RootFS.Layers}}{{.}} {{end}}' "$id"); do
      want_blobs+="${l#sha256:}"$'\n'
    done
    assert_eq "$(b image inspect -f '{{len .RootFS.Layers}}' "$id")" 3 "layers of $id"
    local n
    for n in 1 2 3; do
      local f
      f="$(find "$root/layers" -path "*/diff/data$n.bin" | head -1)"
      [[ -n "$f" ]] || fail "data$n.bin missing from the unpacked layers"
      assert_eq "$(stat -c %s "$f")" 40000000 "size of data$n.bin"
    done
  done
  local have_blobs
  have_blobs="$(ls "$root/content/blobs/sha256" 2>/dev/null | sort)"
  assert_eq "$have_blobs" "$(sort <<<"$want_blobs" | sed '/^$/d')" "blobs on disk vs images"
  local nlayers=0
  [[ -z "$(image_ids)" ]] || nlayers=3
  assert_eq "$(ls "$root/layers" | wc -l)" "$nlayers" "layer dirs: $(ls "$root/layers")"
  assert_eq "$(ls -A "$root/content/ingest" 2>/dev/null)" "" "ingest after start-up"
  assert_eq "$(ls -A "$root/tmp" 2>/dev/null)" "" "tmp after start-up"
}

# kill_during CONDITION: starts a load of the big archive, SIGKILLs berthd
# as soon as CONDITION holds, restarts berthd and checks the store.
kill_during() {
  big_archive
  local a="$BIG_TAR"
  start_berthd
  b load -i "$a" >"$TESTDIR/load.out" 2>&1 3>&- &
  local lpid=$!
  defer "kill $lpid"
  wait_for 60 "$1" || fail "the load never reached '$1': $(cat "$TESTDIR/load.out")"
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  wait "$lpid" && echo "# the load finished before the kill" >&2
  echo "# load: $(cat "$TESTDIR/load.out")" >&2
  start_berthd
  echo "# after restart: $(image_ids | tr '\n' ' ')" >&2
  assert_store_consistent
  # an acknowledged load must have survived
  if grep -q "Loaded image: crash/big:1" "$TESTDIR/load.out"; then
    assert_eq "$(image_ids)" "$BIG_ID" "an acknowledged load is kept"
  fi
  run_berth load -i "$a"
  assert_success "load after the crash"
  assert_output_has "Loaded image: crash/big:1"
  assert_eq "$(image_ids)" "$BIG_ID"
  assert_store_consistent
}

@test "SIGKILL while the archive streams in" {
  kill_during loading_started
}

@test "SIGKILL while a layer unpacks" {
  kill_during unpack_started
}

@test "SIGKILL right after a load is acknowledged keeps the image" {
  big_archive
  local a="$BIG_TAR"
  start_berthd
  run_berth load -i "$a"
  assert_success
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  start_berthd
  assert_eq "$(image_ids)" "$BIG_ID" "image after kill -9"
  assert_store_consistent
}

@test "start-up sweeps orphans planted in the store" {
  start_berthd
  make_busybox
  stop_berthd
  local root="$DATA/image"
  local before
  before="$(store_snapshot)"
  mkdir -p "$root/layers/$(printf 'a%.0s' {1..64})/diff" "$root/tmp/load-x" "$root/content/ingest"
  echo junk >"$root/content/blobs/sha256/$(printf 'b%.0s' {1..64})"
  echo junk >"$root/content/ingest/partial"
  echo junk >"$root/tmp/load-x/f"
  start_berthd
  assert_eq "$(store_snapshot)" "$before" "store after start-up sweep"
  run_berth image inspect -f '{{.Id}}' busybox
  assert_eq "$output" "$BUSYBOX_ID"
}
