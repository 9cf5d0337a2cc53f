#!/usr/bin/env bats
# berth-registry's OCI Distribution API driven with curl: blobs, uploads
# (monolithic, chunked, resumed, cancelled, corrupted), manifests with
# content negotiation, tags and catalog pagination, referrers, deletes.

load helpers

@test "ping, push with curl, pull back byte for byte" {
  start_registry
  api GET /v2/ >/dev/null
  assert_eq "$CODE" 200 "ping"
  assert_eq "$(hdr Docker-Distribution-API-Version)" "registry/2.0"
  put_image alice/app v1
  api GET /v2/alice/app/manifests/v1 -H 'Accept: application/vnd.oci.image.manifest.v1+json' >"$TESTDIR/got.json"
  assert_eq "$CODE" 200
  cmp "$TESTDIR/got.json" "$TESTDIR/m.json" || fail "manifest differs"
  assert_eq "$(hdr Docker-Content-Digest)" "$MDIGEST"
  assert_eq "$(hdr Content-Type)" "application/vnd.oci.image.manifest.v1+json"
  api GET "/v2/alice/app/blobs/$(sha "$LAYER")" >"$TESTDIR/got.bin"
  assert_eq "$CODE" 200
  cmp "$TESTDIR/got.bin" "$LAYER" || fail "layer differs"
  api HEAD "/v2/alice/app/manifests/$MDIGEST" -I >/dev/null
  assert_eq "$CODE" 200 "HEAD by digest"
  assert_eq "$(hdr Content-Length)" "$(stat -c %s "$TESTDIR/m.json")"
  # Range requests
  api GET "/v2/alice/app/blobs/$(sha "$LAYER")" -H 'Range: bytes=10-19' >"$TESTDIR/part"
  assert_eq "$CODE" 206
  assert_eq "$(hdr Content-Range)" "bytes 10-19/100000"
  cmp "$TESTDIR/part" <(tail -c +11 "$LAYER" | head -c 10) || fail "range content"
  api GET "/v2/alice/app/blobs/$(sha "$LAYER")" -H 'Range: bytes=200000-' >/dev/null
  assert_eq "$CODE" 416
  # the same blob is stored once, shared across repositories
  push_blob other/repo "$LAYER" >/dev/null
  assert_eq "$(find "$ROOT/blobs" -type f | wc -l)" 3 "blobs on disk"
}

@test "chunked upload with Content-Range, status, out-of-order chunk refused, resumed" {
  start_registry
  head -c 300000 /dev/urandom >"$TESTDIR/big"
  head -c 100000 "$TESTDIR/big" >"$TESTDIR/c1"
  tail -c +100001 "$TESTDIR/big" | head -c 100000 >"$TESTDIR/c2"
  tail -c +200001 "$TESTDIR/big" >"$TESTDIR/c3"
  api POST /v2/r/blobs/uploads/ >/dev/null
  assert_eq "$CODE" 202
  local loc
  loc="$(hdr Location)"
  assert_match "$loc" '^/v2/r/blobs/uploads/[0-9a-f-]{36}$'
  assert_eq "$(hdr Range)" "0-0"
  curl -s -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Range: 0-99999' \
    -H 'Content-Type: application/octet-stream' --data-binary @"$TESTDIR/c1" "http://$REG$loc" >"$TESTDIR/st"
  assert_eq "$(cat "$TESTDIR/st")" 202
  # a chunk that does not start where the upload ends is refused
  api PATCH "$loc" -H 'Content-Range: 150000-249999' --data-binary @"$TESTDIR/c2" >/dev/null
  assert_eq "$CODE" 416 "out-of-order chunk"
  # the client asks where to resume
  api GET "$loc" >/dev/null
  assert_eq "$CODE" 204
  assert_eq "$(hdr Range)" "0-99999"
  api PATCH "$loc" -H 'Content-Range: 100000-199999' --data-binary @"$TESTDIR/c2" >/dev/null
  assert_eq "$CODE" 202
  assert_eq "$(hdr Range)" "0-199999"
  # the last chunk goes with the closing PUT
  api PUT "$loc?digest=$(sha "$TESTDIR/big")" -H 'Content-Range: 200000-299999' --data-binary @"$TESTDIR/c3" >/dev/null
  assert_eq "$CODE" 201 "final PUT"
  assert_eq "$(hdr Docker-Content-Digest)" "$(sha "$TESTDIR/big")"
  api GET "/v2/r/blobs/$(sha "$TESTDIR/big")" >"$TESTDIR/back"
  cmp "$TESTDIR/back" "$TESTDIR/big" || fail "chunked blob differs"
  api GET "$loc" >/dev/null
  assert_eq "$CODE" 404 "finished upload is gone"
  assert_eq "$(err_code)" BLOB_UPLOAD_UNKNOWN
}

@test "a corrupted upload is refused and leaves nothing visible; cancel removes the upload" {
  start_registry
  head -c 50000 /dev/urandom >"$TESTDIR/good"
  cp "$TESTDIR/good" "$TESTDIR/bad"
  printf 'X' | dd of="$TESTDIR/bad" bs=1 seek=100 conv=notrunc 2>/dev/null
  api POST "/v2/r/blobs/uploads/?digest=$(sha "$TESTDIR/good")" --data-binary @"$TESTDIR/bad" >/dev/null
  assert_eq "$CODE" 400
  assert_eq "$(err_code)" DIGEST_INVALID
  api HEAD "/v2/r/blobs/$(sha "$TESTDIR/good")" -I >/dev/null
  assert_eq "$CODE" 404
  assert_eq "$(find "$ROOT/blobs" -type f | wc -l)" 0 "no blob stored"
  assert_eq "$(ls "$ROOT/uploads" | wc -l)" 0 "no upload left"
  api POST /v2/r/blobs/uploads/ >/dev/null
  local loc
  loc="$(hdr Location)"
  api PATCH "$loc" --data-binary @"$TESTDIR/good" >/dev/null
  api DELETE "$loc" >/dev/null
  assert_eq "$CODE" 204
  assert_eq "$(ls "$ROOT/uploads" | wc -l)" 0 "cancelled upload removed"
  api PUT "$loc?digest=$(sha "$TESTDIR/good")" >/dev/null
  assert_eq "$CODE" 404
}

@test "a registry killed mid-upload leaves nothing visible; a stale upload is swept after the timeout" {
  start_registry --upload-timeout 2s
  head -c 20000000 /dev/urandom >"$TESTDIR/big"
  api POST /v2/r/blobs/uploads/ >/dev/null
  local loc
  loc="$(hdr Location)"
  # a slow client: the registry dies while the body is arriving
  curl -s -X PATCH --limit-rate 2M --data-binary @"$TESTDIR/big" "http://$REG$loc" >/dev/null 2>&1 &
  local cpid=$!
  wait_for 20 bash -c "[[ \$(stat -c %s $ROOT/uploads/*/data 2>/dev/null || echo 0) -gt 1000000 ]]"
  kill -KILL "$REG_PID"
  wait "$cpid" 2>/dev/null || true
  start_registry --upload-timeout 2s
  api HEAD "/v2/r/blobs/$(sha "$TESTDIR/big")" -I >/dev/null
  assert_eq "$CODE" 404 "partial blob not visible"
  assert_eq "$(find "$ROOT/blobs" -type f | wc -l)" 0
  # the partial upload is resumable after the restart ...
  api GET "$loc" >/dev/null
  assert_eq "$CODE" 204
  # ... until it has been idle for the timeout
  wait_for 20 bash -c "[[ -z \$(ls $ROOT/uploads) ]]" || fail "stale upload not swept"
  api GET "$loc" >/dev/null
  assert_eq "$CODE" 404
}

@test "an upload interrupted by a registry crash resumes after the restart from the reported Range" {
  start_registry
  head -c 20000000 /dev/urandom >"$TESTDIR/big"
  api POST /v2/r/blobs/uploads/ >/dev/null
  local loc
  loc="$(hdr Location)"
  curl -s -X PATCH --limit-rate 4M --data-binary @"$TESTDIR/big" "http://$REG$loc" >/dev/null 2>&1 &
  local cpid=$!
  wait_for 20 bash -c "[[ \$(stat -c %s $ROOT/uploads/*/data 2>/dev/null || echo 0) -gt 2000000 ]]"
  kill -KILL "$REG_PID"
  wait "$cpid" 2>/dev/null || true
  start_registry
  api GET "$loc" >/dev/null
  assert_eq "$CODE" 204
  local range end
  range="$(hdr Range)"
  assert_match "$range" '^0-[0-9]+$'
  end="${range#0-}"
  ((end > 1000000 && end < 19999999)) || fail "resume point $end"
  tail -c +$((end + 2)) "$TESTDIR/big" >"$TESTDIR/rest"
  api PATCH "$loc" -H "Content-Range: $((end + 1))-19999999" --data-binary @"$TESTDIR/rest" >/dev/null
  assert_eq "$CODE" 202 "resumed chunk"
  assert_eq "$(hdr Range)" "0-19999999"
  api PUT "$loc?digest=$(sha "$TESTDIR/big")" >/dev/null
  assert_eq "$CODE" 201 "finished after the restart"
  api GET "/v2/r/blobs/$(sha "$TESTDIR/big")" >"$TESTDIR/back"
  cmp "$TESTDIR/back" "$TESTDIR/big" || fail "resumed blob differs"
}

@test "content negotiation, Docker schema2 and manifest lists, referrers, deletes" {
  start_registry
  put_image lib/x v1
  local oci="$MDIGEST" size
  size="$(stat -c %s "$TESTDIR/m.json")"
  # an OCI manifest is not served to a client that accepts only Docker types
  api GET /v2/lib/x/manifests/v1 -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null
  assert_eq "$CODE" 404
  assert_eq "$(err_code)" MANIFEST_UNKNOWN
  # a Docker schema2 manifest and a manifest list naming it
  sed -e 's/application\/vnd.oci.image.manifest.v1+json/application\/vnd.docker.distribution.manifest.v2+json/' \
    -e 's/application\/vnd.oci.image.config.v1+json/application\/vnd.docker.container.image.v1+json/' \
    -e 's/application\/vnd.oci.image.layer.v1.tar/application\/vnd.docker.image.rootfs.diff.tar/' \
    "$TESTDIR/m.json" >"$TESTDIR/d.json"
  api PUT /v2/lib/x/manifests/docker -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' \
    --data-binary @"$TESTDIR/d.json" >/dev/null
  assert_eq "$CODE" 201
  local dd
  dd="$(sha "$TESTDIR/d.json")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":%s,"platform":{"architecture":"amd64","os":"linux"}}]}' \
    "$dd" "$(stat -c %s "$TESTDIR/d.json")" >"$TESTDIR/list.json"
  api PUT /v2/lib/x/manifests/multi -H 'Content-Type: application/vnd.docker.distribution.manifest.list.v2+json' \
    --data-binary @"$TESTDIR/list.json" >/dev/null
  assert_eq "$CODE" 201
  api GET /v2/lib/x/manifests/multi -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null
  assert_eq "$CODE" 200
  assert_eq "$(hdr Content-Type)" "application/vnd.docker.distribution.manifest.list.v2+json"
  # an index naming an unknown manifest is refused
  sed "s/$dd/sha256:$(printf '%064d' 0)/" "$TESTDIR/list.json" >"$TESTDIR/bad-list.json"
  api PUT /v2/lib/x/manifests/bad -H 'Content-Type: application/vnd.docker.distribution.manifest.list.v2+json' \
    --data-binary @"$TESTDIR/bad-list.json" >/dev/null
  assert_eq "$(err_code)" MANIFEST_BLOB_UNKNOWN
  # an artifact whose subject is the OCI manifest shows among its referrers
  echo '{}' >"$TESTDIR/empty.json"
  push_blob lib/x "$TESTDIR/empty.json" >/dev/null
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.sbom","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":3},"layers":[],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s}}' \
    "$(sha "$TESTDIR/empty.json")" "$oci" "$size" >"$TESTDIR/sbom.json"
  api PUT "/v2/lib/x/manifests/$(sha "$TESTDIR/sbom.json")" -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary @"$TESTDIR/sbom.json" >/dev/null
  assert_eq "$CODE" 201
  assert_eq "$(hdr OCI-Subject)" "$oci"
  assert_eq "$(api GET "/v2/lib/x/referrers/$oci" | jq -r '.manifests[0].artifactType')" "application/vnd.example.sbom"
  assert_eq "$(api GET "/v2/lib/x/referrers/$oci?artifactType=other" | jq '.manifests | length')" 0
  assert_eq "$(hdr OCI-Filters-Applied)" artifactType
  # delete a tag, then a manifest by digest
  api DELETE /v2/lib/x/manifests/docker >/dev/null
  assert_eq "$CODE" 202
  assert_eq "$(api GET /v2/lib/x/tags/list | jq -c .tags)" '["multi","v1"]'
  api DELETE "/v2/lib/x/manifests/$oci" >/dev/null
  assert_eq "$CODE" 202
  api GET /v2/lib/x/manifests/v1 >/dev/null
  assert_eq "$CODE" 404
}

@test "tags and catalog paginate with n, last and Link; cross-repository mount" {
  start_registry
  put_image a/one t1
  local layer="$LAYER"
  for t in t2 t3 t4; do
    api PUT "/v2/a/one/manifests/$t" -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
      --data-binary "@$TESTDIR/m.json" >/dev/null
  done
  assert_eq "$(api GET '/v2/a/one/tags/list?n=2' | jq -c .tags)" '["t1","t2"]'
  assert_eq "$(hdr Link)" '</v2/a/one/tags/list?last=t2&n=2>; rel="next"'
  assert_eq "$(api GET '/v2/a/one/tags/list?n=2&last=t2' | jq -c .tags)" '["t3","t4"]'
  assert_eq "$(hdr Link)" ""
  # mount the layer into b/two without uploading it
  api POST "/v2/b/two/blobs/uploads/?mount=$(sha "$layer")&from=a/one" >/dev/null
  assert_eq "$CODE" 201 "mount"
  api HEAD "/v2/b/two/blobs/$(sha "$layer")" -I >/dev/null
  assert_eq "$CODE" 200
  # a mount from a repository without the blob falls back to an upload
  api POST "/v2/c/three/blobs/uploads/?mount=sha256:$(printf '%064d' 1)&from=a/one" >/dev/null
  assert_eq "$CODE" 202
  assert_eq "$(api GET '/v2/_catalog?n=1' | jq -c .repositories)" '["a/one"]'
  assert_eq "$(hdr Link)" '</v2/_catalog?last=a%2Fone&n=1>; rel="next"'
  assert_eq "$(api GET '/v2/_catalog?last=a/one' | jq -c .repositories)" '["b/two"]'
}
