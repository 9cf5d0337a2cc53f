#!/usr/bin/env bats
# Hostile and broken archives through import and load: a clear error, exit
# status 1, and nothing left behind (no image, no blob, no layer dir, no
# scratch file, nothing written outside the store).

load helpers

# prepare: a daemon, the OUTSIDE dir that hostile entries aim at (with a
# file `target`), and a snapshot of the store.
prepare() {
  start_berthd
  OUTSIDE="$TESTDIR/outside"
  mkdir -p "$OUTSIDE"
  echo original >"$OUTSIDE/target"
  BEFORE_IDS="$(image_ids)"
  BEFORE_STORE="$(store_snapshot)"
}

# assert_nothing_left: no new image, the store's files as before, OUTSIDE
# untouched (no new file, target unchanged and not hard-linked).
assert_nothing_left() {
  assert_eq "$(image_ids)" "$BEFORE_IDS" "images after a refused archive"
  local now
  now="$(store_snapshot)"
  [[ "$now" == "$BEFORE_STORE" ]] \
    || fail "store changed: $(diff <(echo "$BEFORE_STORE") <(echo "$now"))"
  assert_outside_untouched
}

assert_outside_untouched() {
  assert_eq "$(ls -A "$OUTSIDE" | tr '\n' ' ')" "target " "files in OUTSIDE"
  assert_eq "$(cat "$OUTSIDE/target")" original "OUTSIDE/target content"
  assert_eq "$(stat -c %h "$OUTSIDE/target")" 1 "OUTSIDE/target link count"
  [[ ! -e /pwned && ! -e "$TESTDIR/pwned" && ! -e "$DATA/pwned" ]] || fail "a file escaped"
}

# hostile KIND: makes $TESTDIR/h.tar (mkimage.py hostile).
hostile() {
  "$PY" "$MKIMAGE" hostile "$1" "$TESTDIR/h.tar" "$OUTSIDE"
}

# check_import_refused WHAT: import of h.tar fails clearly, leaves nothing.
check_import_refused() {
  run_berth import "$TESTDIR/h.tar" hostile/imp:1
  assert_status 1 "import of $1"
  assert_match "$output" "^Error" "error message"
  assert_error_mentions "$2"
  assert_nothing_left
}

# check_load_refused WHAT: the same layer inside a docker-archive.
check_load_refused() {
  archive "$TESTDIR/h-archive.tar" --tag hostile/load:1 "$TESTDIR/h.tar" >/dev/null
  run_berth load -i "$TESTDIR/h-archive.tar"
  assert_status 1 "load of $1"
  assert_error_mentions "$2"
  assert_nothing_left
}

@test "import: a ../ path traversal is refused" {
  prepare
  hostile traversal
  check_import_refused traversal "\.\."
}

@test "load: a ../ path traversal in a layer is refused" {
  prepare
  hostile traversal
  check_load_refused traversal "\.\."
}

@test "import: writing through an absolute symlink that points outside is refused or kept inside" {
  prepare
  hostile symlink
  run_berth import "$TESTDIR/h.tar" hostile/imp:1
  # Docker follows no symlink while unpacking: esc/pwned must not reach
  # OUTSIDE. Refusing the archive is the clear outcome.
  assert_status 1 "import through a symlink"
  assert_error_mentions "esc"
  assert_nothing_left
}

@test "load: writing through a relative symlink that climbs out is refused" {
  prepare
  hostile relsymlink
  check_load_refused relsymlink "esc"
}

@test "import: a hard link to a file outside the layer is refused" {
  prepare
  hostile hardlink
  check_import_refused hardlink "hl"
}

@test "load: a hard link to a file outside the layer is refused" {
  prepare
  hostile hardlink
  check_load_refused hardlink "hl"
}

@test "import: absolute names stay inside the layer" {
  prepare
  hostile absolute
  run_berth import "$TESTDIR/h.tar" hostile/abs:1
  assert_success "absolute names are made relative, as Docker does"
  assert_outside_untouched
  [[ ! -e "$OUTSIDE/abs" ]] || fail "absolute entry written on the host"
  local found
  found="$(find "$DATA/image/layers" -path "*${OUTSIDE}/abs" -type f)"
  assert_ne "$found" "" "the absolute entry inside the layer dir"
}

@test "import: a truncated gzip stream is refused" {
  prepare
  gzip -c "$(busybox_tar)" >"$TESTDIR/full.tar.gz"
  head -c $(($(stat -c %s "$TESTDIR/full.tar.gz") / 2)) "$TESTDIR/full.tar.gz" >"$TESTDIR/h.tar"
  check_import_refused "truncated gzip" "gzip\|unexpected\|truncated\|eof"
}

@test "load: a truncated gzip layer is refused" {
  prepare
  local t
  t="$(busybox_tar)"
  archive "$TESTDIR/ok.tar" --gzip --tag hostile/gz:1 "$t" >/dev/null
  # cut the gzip layer inside the archive: rebuild the archive with half of it
  mkdir "$TESTDIR/x"
  tar -C "$TESTDIR/x" -xf "$TESTDIR/ok.tar"
  local layer
  layer="$(jq -r '.[0].Layers[0]' "$TESTDIR/x/manifest.json")"
  truncate -s $(($(stat -c %s "$TESTDIR/x/$layer") / 2)) "$TESTDIR/x/$layer"
  tar -C "$TESTDIR/x" -cf "$TESTDIR/h-archive.tar" .
  run_berth load -i "$TESTDIR/h-archive.tar"
  assert_status 1 "load of a truncated gzip layer"
  assert_error_mentions "gzip\|unexpected\|truncated\|eof\|digest"
  assert_nothing_left
}

@test "load: a layer whose content does not match its diff ID is refused" {
  prepare
  small_layer "$TESTDIR/a.tar" good
  small_layer "$TESTDIR/b.tar" evil
  archive "$TESTDIR/ok.tar" --tag hostile/swap:1 "$TESTDIR/a.tar" >/dev/null
  mkdir "$TESTDIR/x"
  tar -C "$TESTDIR/x" -xf "$TESTDIR/ok.tar"
  local layer
  layer="$(jq -r '.[0].Layers[0]' "$TESTDIR/x/manifest.json")"
  cp "$TESTDIR/b.tar" "$TESTDIR/x/$layer"
  tar -C "$TESTDIR/x" -cf "$TESTDIR/h-archive.tar" .
  run_berth load -i "$TESTDIR/h-archive.tar"
  assert_status 1
  assert_error_mentions "digest\|diff"
  assert_nothing_left
}

@test "load: a truncated archive is refused" {
  prepare
  archive "$TESTDIR/ok.tar" --tag hostile/cut:1 "$(busybox_tar)" >/dev/null
  head -c $(($(stat -c %s "$TESTDIR/ok.tar") * 2 / 3)) "$TESTDIR/ok.tar" >"$TESTDIR/h-archive.tar"
  run_berth load -i "$TESTDIR/h-archive.tar"
  assert_status 1
  assert_nothing_left
}

@test "a refused load does not disturb an image that shares its base layer" {
  prepare
  local t
  t="$(busybox_tar)"
  archive "$TESTDIR/base.tar" --tag base:1 "$t" >/dev/null
  b load -i "$TESTDIR/base.tar" >/dev/null
  BEFORE_IDS="$(image_ids)"
  BEFORE_STORE="$(store_snapshot)"
  hostile traversal
  archive "$TESTDIR/h-archive.tar" --tag hostile/on-base:1 "$t" "$TESTDIR/h.tar" >/dev/null
  run_berth load -i "$TESTDIR/h-archive.tar"
  assert_status 1
  assert_nothing_left
  run_berth image inspect -f '{{len .RootFS.Layers}}' base:1
  assert_eq "$output" 1 "base image intact"
  [[ -x "$(find "$DATA/image/layers" -path '*/diff/bin/busybox' | head -1)" ]] || fail "base layer content gone"
}
