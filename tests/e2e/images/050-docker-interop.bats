#!/usr/bin/env bats
# Images move between the real Docker (Debian's docker.io 20.10, a dockerd
# started here with its own roots) and berthd with the same image IDs.

load helpers

# docker_busybox: busybox:latest in the reference dockerd (docker import of
# the same rootfs tar), plus a two-layer image `dk/app:1` built from it by
# the legacy builder (COPY and LABEL run no container). Sets DK_BB, DK_APP.
docker_busybox() {
  docker_d import -c 'CMD ["sh"]' "$(busybox_tar)" busybox:latest >/dev/null \
    || fail "docker import failed"
  mkdir -p "$TESTDIR/ctx"
  echo "from docker" >"$TESTDIR/ctx/hello.txt"
  printf 'FROM busybox:latest\nCOPY hello.txt /hello.txt\nLABEL made=docker\nCMD ["cat", "/hello.txt"]\n' \
    >"$TESTDIR/ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker_d build -q -t dk/app:1 "$TESTDIR/ctx" >/dev/null \
    || fail "docker build failed: $(DOCKER_BUILDKIT=0 docker_d build -t dk/app:1 "$TESTDIR/ctx" 2>&1)"
  DK_BB="$(docker_d image inspect -f '{{.Id}}' busybox:latest)"
  DK_APP="$(docker_d image inspect -f '{{.Id}}' dk/app:1)"
}

# norm_json: JSON input sorted by key; other text unchanged.
norm_json() {
  local v
  v="$(cat)"
  if [[ "$v" == [\{\[]* ]]; then jq -cS . <<<"$v"; else echo "$v"; fi
}

@test "docker save -> berth load: same image IDs, tags, layers and config" {
  start_dockerd
  docker_busybox
  docker_d save -o "$TESTDIR/dk.tar" busybox:latest dk/app:1
  start_berthd
  run_berth load -i "$TESTDIR/dk.tar"
  assert_success
  assert_output_has "Loaded image: busybox:latest"
  assert_output_has "Loaded image: dk/app:1"
  assert_eq "$(b image inspect -f '{{.Id}}' busybox:latest)" "$DK_BB" "busybox ID"
  assert_eq "$(b image inspect -f '{{.Id}}' dk/app:1)" "$DK_APP" "dk/app ID"
  assert_eq "$(b image inspect -f '{{json .RootFS.Layers}}' dk/app:1)" \
    "$(docker_d image inspect -f '{{json .RootFS.Layers}}' dk/app:1)" "diff IDs"
  assert_eq "$(b image inspect -f '{{json .Config.Cmd}} {{.Config.Labels.made}}' dk/app:1)" \
    '["cat","/hello.txt"] docker' "config"
  # the layers are shared: two images, two layer dirs
  assert_eq "$(ls "$DATA/image/layers" | wc -l)" 2 "layer dirs"
  # the COPYed file is in the unpacked top layer
  local f
  f="$(find "$DATA/image/layers" -path '*/diff/hello.txt')"
  assert_eq "$(cat "$f")" "from docker" "hello.txt in the layer"
}

@test "docker save -> berth load -> berth save -> docker load round trip keeps the IDs" {
  start_dockerd
  docker_busybox
  docker_d save -o "$TESTDIR/dk.tar" dk/app:1
  start_berthd
  b load -i "$TESTDIR/dk.tar" >/dev/null
  b save -o "$TESTDIR/back.tar" dk/app:1
  docker_d rmi dk/app:1 busybox:latest >/dev/null
  assert_eq "$(docker_d images -aq)" "" "dockerd emptied"
  run_cmd /usr/bin/docker -H "$DHOST" load -i "$TESTDIR/back.tar"
  assert_success
  assert_output_has "Loaded image: dk/app:1"
  assert_eq "$(docker_d image inspect -f '{{.Id}}' dk/app:1)" "$DK_APP"
}

@test "berth save -> docker load: same image IDs (berth import and a two-layer archive)" {
  start_berthd
  make_busybox
  small_layer "$TESTDIR/l2.tar" second
  local two
  two="$(archive "$TESTDIR/two.tar" --tag bt/two:1 --label by=berth "$(busybox_tar)" "$TESTDIR/l2.tar")"
  b load -i "$TESTDIR/two.tar" >/dev/null
  b save -o "$TESTDIR/bt.tar" busybox bt/two:1
  start_dockerd
  run_cmd /usr/bin/docker -H "$DHOST" load -i "$TESTDIR/bt.tar"
  assert_success
  assert_output_has "Loaded image: busybox:latest"
  assert_output_has "Loaded image: bt/two:1"
  assert_eq "$(docker_d image inspect -f '{{.Id}}' busybox:latest)" "$BUSYBOX_ID" "busybox ID in docker"
  assert_eq "$(docker_d image inspect -f '{{.Id}}' bt/two:1)" "$two" "two-layer ID in docker"
  assert_eq "$(docker_d image inspect -f '{{.Config.Labels.by}}' bt/two:1)" berth
  # docker can use the layers: export the rootfs through a created container
  local cid
  cid="$(docker_d create bt/two:1)"
  docker_d export "$cid" | tar -tf - | grep -qx 'hello.txt' || fail "hello.txt not in docker's rootfs"
  docker_d rm "$cid" >/dev/null
}

@test "image metadata agrees with docker's for the same image" {
  start_dockerd
  docker_busybox
  docker_d save -o "$TESTDIR/dk.tar" dk/app:1
  start_berthd
  b load -i "$TESTDIR/dk.tar" >/dev/null
  local f
  for f in '{{.Id}}' '{{json .RepoTags}}' '{{.Created}}' '{{.Os}}' '{{.Architecture}}' \
      '{{json .Config}}' '{{.RootFS.Type}}' '{{json .RootFS.Layers}}' '{{.Size}}' '{{.Author}}' '{{.Comment}}'; do
    # JSON compared as values (berth's keys are sorted, Docker's in struct order)
    assert_eq "$(b image inspect -f "$f" dk/app:1 | norm_json)" \
      "$(docker_d image inspect -f "$f" dk/app:1 | norm_json)" "inspect $f"
  done
  # (docker's own build cache gives the lower rows IDs; a loaded image has
  # <missing> there, in Docker too: compare the rows' content)
  assert_eq "$(b history --no-trunc --format '{{.CreatedBy}}|{{.Size}}|{{.Comment}}' dk/app:1)" \
    "$(docker_d history --no-trunc --format '{{.CreatedBy}}|{{.Size}}|{{.Comment}}' dk/app:1)" "history"
  assert_eq "$(b history -q --no-trunc dk/app:1 | head -1)" "$DK_APP" "history top row ID"
}
