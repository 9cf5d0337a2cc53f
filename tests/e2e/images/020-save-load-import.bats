#!/usr/bin/env bats
# save (docker-archive, several images, refuses a terminal), load
# (docker-archive and OCI layout, from skopeo and umoci too), import (file,
# stdin, compressed, -c, -m; URLs refused offline).

load helpers

# clock_past T: the wall clock is past second T.
clock_past() {
  (($(date +%s) > $1))
}

# manifest_of TAR: manifest.json of a docker-archive.
manifest_of() {
  tar -xOf "$1" manifest.json
}

@test "save one image: a docker-archive with manifest, config and layer" {
  start_berthd
  make_busybox
  run_berth save -o "$TESTDIR/bb.tar" busybox
  assert_success
  assert_eq "$output" "" "save -o prints nothing"
  local m
  m="$(manifest_of "$TESTDIR/bb.tar")"
  jq -e --arg c "${BUSYBOX_ID#sha256:}.json" \
    'length == 1 and .[0].Config == $c and .[0].RepoTags == ["busybox:latest"] and (.[0].Layers | length) == 1' \
    <<<"$m" >/dev/null || fail "manifest.json: $m"
  # the config in the archive hashes to the image ID
  local sum
  sum="$(tar -xOf "$TESTDIR/bb.tar" "${BUSYBOX_ID#sha256:}.json" | sha256sum | cut -d' ' -f1)"
  assert_eq "sha256:$sum" "$BUSYBOX_ID" "config digest"
  tar -tf "$TESTDIR/bb.tar" | grep -qx repositories || fail "no repositories file"
  # stdout works too and gives the same bytes: Docker's save is
  # reproducible (manifest.json and repositories have mtime 0, the rest the
  # image's creation time), so two saves a second apart are identical
  wait_for 3 clock_past "$(date +%s)"
  b save busybox >"$TESTDIR/bb2.tar"
  cmp "$TESTDIR/bb.tar" "$TESTDIR/bb2.tar" || fail "save -o and save > differ: $(diff <(tar -tvf "$TESTDIR/bb.tar" --full-time) <(tar -tvf "$TESTDIR/bb2.tar" --full-time))"
}

@test "save several images; shared layers once" {
  start_berthd
  make_busybox
  small_layer "$TESTDIR/l.tar" two
  b import "$TESTDIR/l.tar" two:1 >/dev/null
  b tag busybox bb:alias
  run_berth save -o "$TESTDIR/all.tar" busybox two:1 bb:alias
  assert_success
  local m
  m="$(manifest_of "$TESTDIR/all.tar")"
  assert_eq "$(jq length <<<"$m")" 2 "two images in manifest.json: $m"
  assert_eq "$(jq -c '[.[].RepoTags | sort] | sort' <<<"$m")" '[["bb:alias","busybox:latest"],["two:1"]]'
  assert_eq "$(tar -tf "$TESTDIR/all.tar" | grep -c 'layer.tar$')" 2 "layer count"
}

@test "save refuses a terminal and a missing image" {
  start_berthd
  make_busybox
  run_cmd script -qec "$BERTH -H $HOST save busybox" /dev/null
  assert_failure "save to a terminal"
  assert_error_mentions "cowardly refusing to save to a terminal. Use the -o flag or redirect"
  run_berth save -o "$TESTDIR/x.tar" nope
  assert_status 1
  assert_error_mentions "No such image: nope"
}

@test "load a saved image into an empty daemon: same ID, tags, layers" {
  start_berthd
  make_busybox
  b tag busybox bb:2
  b save -o "$TESTDIR/bb.tar" busybox bb:2
  b rmi busybox bb:2 >/dev/null
  assert_eq "$(image_ids)" "" "store empty before load"
  run_berth load -i "$TESTDIR/bb.tar"
  assert_success
  assert_output_has "Loaded image: busybox:latest"
  assert_output_has "Loaded image: bb:2"
  assert_eq "$(image_ids)" "$BUSYBOX_ID"
  # and from stdin, quietly, again (nothing new)
  run bash -c "'$BERTH' -H '$HOST' load -q <'$TESTDIR/bb.tar'"
  assert_success
  assert_eq "$(image_ids)" "$BUSYBOX_ID"
  local l
  l="$(b image inspect -f '{{json .RootFS.Layers}}' busybox)"
  assert_eq "$(ls "$DATA/image/layers" | wc -l)" 1 "one layer dir for $l"
}

@test "load of an untagged image reports its ID" {
  start_berthd
  small_layer "$TESTDIR/l.tar" x
  local id
  id="$(archive "$TESTDIR/a.tar" "$TESTDIR/l.tar")"
  run_berth load -i "$TESTDIR/a.tar"
  assert_success
  assert_eq "$output" "Loaded image ID: $id"
  assert_eq "$(image_ids)" "$id"
}

@test "load an OCI image layout tar (gzip layers, two layers, tag from the index)" {
  start_berthd
  small_layer "$TESTDIR/l1.tar" one
  "$PY" "$MKIMAGE" layer "$TESTDIR/l2.tar" "two.txt=@two"
  local id
  id="$(archive "$TESTDIR/oci.tar" --format oci --gzip --tag example/oci:1 "$TESTDIR/l1.tar" "$TESTDIR/l2.tar")"
  run_berth load -i "$TESTDIR/oci.tar"
  assert_success
  assert_output_has "Loaded image: example/oci:1"
  assert_eq "$(b image inspect -f '{{.Id}}' example/oci:1)" "$id"
  run_berth image inspect -f '{{len .RootFS.Layers}}' example/oci:1
  assert_eq "$output" 2
}

@test "load an OCI archive written by skopeo: the ID of its (converted) config, same layers" {
  require_tool skopeo
  start_berthd
  make_busybox
  b save -o "$TESTDIR/bb.tar" busybox
  run_cmd skopeo --insecure-policy copy "docker-archive:$TESTDIR/bb.tar" "oci-archive:$TESTDIR/oci.tar:skopeo/bb:1"
  assert_success
  # skopeo rewrites the config as an OCI config: the ID is its digest
  mkdir "$TESTDIR/oci"
  tar -C "$TESTDIR/oci" -xf "$TESTDIR/oci.tar"
  local man cfg
  man="$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$TESTDIR/oci/index.json")"
  cfg="$(jq -r .config.digest "$TESTDIR/oci/blobs/sha256/$man")"
  local layers
  layers="$(b image inspect -f '{{json .RootFS.Layers}}' "$BUSYBOX_ID")"
  b rmi "$BUSYBOX_ID" >/dev/null 2>&1 || true
  run_berth load -i "$TESTDIR/oci.tar"
  assert_success
  assert_eq "$(image_ids)" "$cfg" "image ID after skopeo's OCI archive"
  assert_eq "$(b image inspect -f '{{json .RootFS.Layers}}' "$cfg")" "$layers" "diff IDs"
}

@test "load an OCI layout written by umoci" {
  require_tool umoci
  start_berthd
  local L="$TESTDIR/layout"
  umoci init --layout "$L"
  umoci new --image "$L:v1"
  mkdir -p "$TESTDIR/bundle"
  umoci unpack --rootless --image "$L:v1" "$TESTDIR/bundle" >/dev/null
  echo umoci >"$TESTDIR/bundle/rootfs/hello.txt"
  umoci repack --image "$L:v1" "$TESTDIR/bundle"
  umoci config --image "$L:v1" --config.cmd sh --config.label made=umoci
  tar -C "$L" -cf "$TESTDIR/umoci.tar" .
  run_berth load -i "$TESTDIR/umoci.tar"
  assert_success
  run_berth images --filter label=made=umoci --format '{{.ID}}'
  assert_ne "$output" "" "the umoci image is listed"
  run_berth image inspect -f '{{json .Config.Cmd}}' "$output"
  assert_eq "$output" '["sh"]'
}

@test "load rejects what is not an image archive" {
  start_berthd
  echo "not a tar" >"$TESTDIR/junk"
  run_berth load -i "$TESTDIR/junk"
  assert_status 1
  assert_ne "$output" ""
  tar -C "$TESTDIR" -cf "$TESTDIR/empty.tar" junk
  run_berth load -i "$TESTDIR/empty.tar"
  assert_status 1
  assert_error_mentions "manifest"
  run_berth load -i "$TESTDIR/does-not-exist.tar"
  assert_status 1
  assert_error_mentions "no such file"
  assert_eq "$(image_ids)" ""
}

@test "import from a file and from stdin; -m becomes the history comment" {
  start_berthd
  local t
  t="$(busybox_tar)"
  run_berth import -m "from a file" "$t" imp/file:1
  assert_success
  assert_match "$output" "^sha256:[0-9a-f]{64}$"
  local id="$output"
  assert_eq "$(b image inspect -f '{{.Id}}' imp/file:1)" "$id"
  run_berth history --format '{{.Comment}}' imp/file:1
  assert_eq "$output" "from a file"
  run bash -c "'$BERTH' -H '$HOST' import - imp/stdin <'$t'"
  assert_success
  assert_match "$output" "^sha256:"
  run_berth images --format '{{.Repository}}:{{.Tag}}' imp/stdin
  assert_eq "$output" "imp/stdin:latest"
  run_berth history --format '{{.Comment}}' imp/stdin
  assert_eq "$output" "Imported from -"
}

@test "import -c sets CMD, ENV, WORKDIR, LABEL, ENTRYPOINT, USER, EXPOSE" {
  start_berthd
  run_berth import -c 'CMD ["sh", "-c", "echo hi"]' -c 'ENV A=1 B=two' -c 'WORKDIR /srv' \
    -c 'LABEL k=v' -c 'ENTRYPOINT ["/bin/sh"]' -c 'USER nobody' -c 'EXPOSE 80/tcp' \
    "$(busybox_tar)" imp/c:1
  assert_success
  run_berth image inspect -f '{{json .Config}}' imp/c:1
  jq -e '.Cmd == ["sh","-c","echo hi"] and (.Env | index("A=1")) != null and (.Env | index("B=two")) != null
         and .WorkingDir == "/srv" and .Labels.k == "v" and .Entrypoint == ["/bin/sh"]
         and .User == "nobody" and (.ExposedPorts | has("80/tcp"))' <<<"$output" >/dev/null \
    || fail "config: $output"
  run_berth import -c 'RUN echo no' "$(busybox_tar)" imp/bad:1
  assert_status 1 "RUN is not allowed in import changes"
  assert_error_mentions "RUN"
  assert_eq "$(b images -q imp/bad)" "" "no image from a refused import"
}

@test "import gzip and zstd compressed tarballs" {
  start_berthd
  local t
  t="$(busybox_tar)"
  gzip -c "$t" >"$TESTDIR/r.tar.gz"
  require_tool zstd
  zstd -q -c "$t" >"$TESTDIR/r.tar.zst"
  run_berth import "$TESTDIR/r.tar.gz" imp/gz:1
  assert_success
  run_berth import "$TESTDIR/r.tar.zst" imp/zst:1
  assert_success
  # same content, same layer
  assert_eq "$(b image inspect -f '{{json .RootFS.Layers}}' imp/gz:1)" \
    "$(b image inspect -f '{{json .RootFS.Layers}}' imp/zst:1)" "diff IDs"
  assert_eq "$(ls "$DATA/image/layers" | wc -l)" 1 "one shared layer dir"
}

@test "import of a URL is refused offline with a clear error" {
  start_berthd
  run_berth import http://127.0.0.1:9/rootfs.tar imp/url:1
  assert_status 1
  assert_error_mentions "http://127.0.0.1:9/rootfs.tar"
  assert_error_mentions "offline"
  assert_eq "$(image_ids)" ""
}

@test "import of a missing file or a bad reference fails before touching the store" {
  start_berthd
  run_berth import "$TESTDIR/none.tar" imp/x:1
  assert_status 1
  assert_error_mentions "no such file"
  run_berth import "$(busybox_tar)" 'Bad:Name'
  assert_status 1
  assert_error_mentions "invalid reference format"
  assert_eq "$(image_ids)" ""
}
