#!/usr/bin/env bats
# berth-registry gc: mark and sweep keeps every referenced blob and drops
# unreferenced ones older than the grace period, while the server runs.

load helpers

# age FILE...: mtime two hours ago (outside the default 1 h grace period).
age() { touch -d '2 hours ago' "$@"; }

@test "gc keeps referenced blobs (tagged, untagged revisions, index children) and drops unreferenced ones" {
  start_registry
  put_image a/keep v1
  local keep_cfg="$CFG" keep_layer="$LAYER" keep_m="$MDIGEST"
  put_image a/gone v1
  local gone_layer="$LAYER" gone_m="$MDIGEST"
  # an orphan: uploaded, never named by a manifest
  head -c 30000 /dev/urandom >"$TESTDIR/orphan"
  push_blob a/keep "$TESTDIR/orphan" >/dev/null
  # an index in a third repository naming a manifest pushed there by digest
  put_image b/multi v1
  local child_m="$MDIGEST" child_layer="$LAYER"
  api DELETE /v2/b/multi/manifests/v1 >/dev/null   # untag: the revision stays
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s}]}' \
    "$child_m" "$(stat -c %s "$TESTDIR/m.json")" >"$TESTDIR/ix.json"
  api PUT /v2/b/multi/manifests/all -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
    --data-binary @"$TESTDIR/ix.json" >/dev/null
  assert_eq "$CODE" 201
  # a/gone's manifest is deleted: its layer becomes garbage
  api DELETE "/v2/a/gone/manifests/$gone_m" >/dev/null
  assert_eq "$CODE" 202
  find "$ROOT/blobs" -type f -exec touch -d '2 hours ago' {} +
  # a fresh unreferenced blob (an upload whose manifest is still coming)
  head -c 1000 /dev/urandom >"$TESTDIR/young"
  push_blob a/keep "$TESTDIR/young" >/dev/null

  run reg gc --dry-run
  assert_success
  assert_match "$output" "removed: 4 "
  assert_eq "$(find "$ROOT/blobs" -type f | wc -l)" 12 "dry run removes nothing"

  run reg gc
  assert_success
  assert_match "$output" "blobs: 12, referenced: 7, removed: 4"
  assert_match "$output" "kept within the grace period: 1"
  local f
  for f in "$keep_cfg" "$keep_layer" "$child_layer" "$TESTDIR/young" "$TESTDIR/ix.json"; do
    api HEAD "/v2/$( [[ $f == "$child_layer" || $f == "$TESTDIR/ix.json" ]] && echo b/multi || echo a/keep)/blobs/$(sha "$f")" -I >/dev/null
    assert_eq "$CODE" 200 "kept $(basename "$f")"
  done
  api GET "/v2/a/keep/manifests/$keep_m" >/dev/null
  assert_eq "$CODE" 200 "tagged manifest"
  api GET "/v2/b/multi/manifests/$child_m" >/dev/null
  assert_eq "$CODE" 200 "untagged child of an index"
  api HEAD "/v2/a/keep/blobs/$(sha "$TESTDIR/orphan")" -I >/dev/null
  assert_eq "$CODE" 404 "orphan removed"
  api HEAD "/v2/a/gone/blobs/$(sha "$gone_layer")" -I >/dev/null
  assert_eq "$CODE" 404 "deleted image's layer removed"
  [[ ! -e "$ROOT/repositories/a/keep/_layers/sha256/$(sha "$TESTDIR/orphan" | cut -d: -f2)" ]] \
    || fail "dangling link left"
  # the image still pulls whole after gc
  api GET "/v2/a/keep/blobs/$(sha "$keep_layer")" >"$TESTDIR/back"
  cmp "$TESTDIR/back" "$keep_layer" || fail "layer content after gc"
  run reg gc --grace nonsense
  assert_failure
}

@test "gc spares an old unreferenced blob that a client HEADs before pushing a manifest naming it" {
  start_registry
  put_image a/base v1
  local layer="$LAYER" cfg="$CFG"
  api DELETE "/v2/a/base/manifests/$MDIGEST" >/dev/null
  find "$ROOT/blobs" -type f -exec touch -d '2 hours ago' {} +
  # a client checks that the blobs exist (so it will not upload them) ...
  api HEAD "/v2/a/base/blobs/$(sha "$layer")" -I >/dev/null
  assert_eq "$CODE" 200
  api HEAD "/v2/a/base/blobs/$(sha "$cfg")" -I >/dev/null
  # ... gc runs before its manifest arrives ...
  run reg gc
  assert_success
  assert_match "$output" "removed: 1 " "only the deleted manifest's own blob"
  # ... and the manifest still finds its blobs
  api PUT /v2/a/base/manifests/v2 -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary @"$TESTDIR/m.json" >/dev/null
  assert_eq "$CODE" 201
  api GET "/v2/a/base/blobs/$(sha "$layer")" >"$TESTDIR/back"
  cmp "$TESTDIR/back" "$layer" || fail "layer after gc"
}
