#!/usr/bin/env bats
# berth push / pull against Debian's reference registry (docker-registry) on
# loopback: round trips keep the image ID, digests, -a, skipped and mounted
# layers, a resumed download, errors as docker words them.

load helpers

setup_file() {
  dt_setup_file
  start_registry reg
  echo "$REG" >"$CTDIR/reg.addr"
}

teardown_file() { dt_teardown_file; }

setup() { REG="$(cat "$CTDIR/reg.addr")"; }
teardown() { ct_teardown; }

@test "push, remove, pull back: the same image ID, Docker's messages" {
  local id
  id="$(image_id busybox)"
  b tag busybox "$REG/bb:1"
  run_berth push "$REG/bb:1"
  assert_success
  assert_match "$output" "The push refers to repository \[$REG/bb\]"
  assert_match "$output" ": Pushed"
  assert_match "$output" "1: digest: sha256:[0-9a-f]{64} size: [0-9]+"
  # The image goes entirely (busybox too), so every layer is downloaded.
  b rmi "$REG/bb:1" busybox >/dev/null
  run_berth pull "$REG/bb:1"
  b tag "$REG/bb:1" busybox
  assert_success
  assert_match "$output" "1: Pulling from bb"
  assert_match "$output" ": Pull complete"
  assert_match "$output" "Digest: sha256:[0-9a-f]{64}"
  assert_match "$output" "Status: Downloaded newer image for $REG/bb:1"
  assert_eq "${lines[-1]}" "$REG/bb:1"
  assert_eq "$(image_id "$REG/bb:1")" "$id" "pulled image ID"
  # No bars and no Downloading lines without a terminal.
  assert_no_match "$output" "Downloading|\[="
  run_berth pull "$REG/bb:1"
  assert_success
  assert_match "$output" "Status: Image is up to date for $REG/bb:1"
  # The pulled image runs.
  run_berth run --rm "$REG/bb:1" echo pulled-ok
  assert_success
  assert_eq "$output" "pulled-ok"
}

@test "pull by digest; RepoDigests recorded" {
  make_image "$REG/dg:v1" 2
  local id digest
  id="$(image_id "$REG/dg:v1")"
  run_berth push "$REG/dg:v1"
  assert_success
  digest="$(grep -oE 'sha256:[0-9a-f]{64} size' <<<"$output" | cut -d' ' -f1)"
  [[ -n "$digest" ]] || fail "no digest in push output"
  run_berth inspect --format '{{json .RepoDigests}}' "$REG/dg:v1"
  assert_match "$output" "$REG/dg@$digest"
  b rmi "$REG/dg:v1" >/dev/null
  run_berth pull "$REG/dg@$digest"
  assert_success
  assert_eq "${lines[-1]}" "$REG/dg@$digest"
  assert_eq "$(image_id "$REG/dg@$digest")" "$id"
  b rmi "$REG/dg@$digest" >/dev/null
}

@test "run of a missing untagged image pulls only :latest, as docker run does" {
  b tag busybox "$REG/rp:latest"
  b tag busybox "$REG/rp:1"
  b push "$REG/rp:latest" >/dev/null
  b push "$REG/rp:1" >/dev/null
  b rmi "$REG/rp:latest" "$REG/rp:1" >/dev/null
  run_berth run --rm "$REG/rp" true
  assert_success
  assert_match "$output" "Unable to find image '$REG/rp:latest' locally"
  run_berth images --format '{{.Repository}}:{{.Tag}}'
  assert_eq "$(grep /rp: <<<"$output" | sort | tr '\n' ' ')" "$REG/rp:latest "
  b rmi "$REG/rp:latest" >/dev/null
  # create takes the same path.
  run_berth create "$REG/rp" true
  assert_success
  assert_match "$output" "Unable to find image '$REG/rp:latest' locally"
  b rm "${lines[-1]}" >/dev/null
  run_berth images --format '{{.Repository}}:{{.Tag}}'
  assert_eq "$(grep /rp: <<<"$output" | sort | tr '\n' ' ')" "$REG/rp:latest "
  b rmi "$REG/rp:latest" >/dev/null
}

@test "pull -a gets every tag; push -a pushes every tag" {
  make_image "$REG/all:a" 1
  make_image "$REG/all:b" 1
  run_berth push -a "$REG/all"
  assert_success
  assert_match "$output" "a: digest: sha256"
  assert_match "$output" "b: digest: sha256"
  b rmi "$REG/all:a" "$REG/all:b" >/dev/null
  run_berth pull -a "$REG/all"
  assert_success
  assert_eq "${lines[-1]}" "$REG/all"
  run_berth images --format '{{.Repository}}:{{.Tag}}'
  assert_eq "$(grep /all: <<<"$output" | sort | tr '\n' ' ')" "$REG/all:a $REG/all:b "
  run_berth pull -a "$REG/all:a"
  assert_failure
  assert_match "$output" "tag can't be used with --all-tags/-a"
}

@test "layers the registry or the store has are skipped; mounted across repositories" {
  make_image "$REG/skip:1" 3
  run_berth push "$REG/skip:1"
  assert_success
  run_berth push "$REG/skip:1"
  assert_success
  assert_eq "$(grep -c 'Layer already exists' <<<"$output")" 3 "second push"
  b tag "$REG/skip:1" "$REG/other/skip:1"
  run_berth push "$REG/other/skip:1"
  assert_success
  assert_eq "$(grep -c 'Mounted from skip' <<<"$output")" 3 "cross-repository mounts"
  # A pull of an image that shares the store's layers downloads none.
  b rmi "$REG/other/skip:1" >/dev/null
  run_berth pull "$REG/other/skip:1"
  assert_success
  assert_eq "$(grep -c 'Already exists' <<<"$output")" 3 "layers already present"
  assert_no_match "$output" "Pull complete"
}

@test "an interrupted download resumes with a Range request" {
  make_image "$REG/resume:1" 2
  local id
  id="$(image_id "$REG/resume:1")"
  run_berth push "$REG/resume:1"
  assert_success
  b rmi "$REG/resume:1" >/dev/null
  "$PY" "$DT_DIR/cutproxy.py" "$CTDIR/proxy.port" "${REG##*:}" "$CTDIR/proxy.log" &
  echo $! >>"$CTDIR/registry.pids"
  wait_for 10 test -s "$CTDIR/proxy.port"
  local via="127.0.0.1:$(cat "$CTDIR/proxy.port")"
  run_berth pull "$via/resume:1"
  assert_success
  assert_eq "$(image_id "$via/resume:1")" "$id" "image after resumed downloads"
  # Each layer was cut once and fetched again from where it stopped.
  assert_eq "$(grep -c 'blobs/sha256:.* range=bytes=[1-9][0-9]*-' "$CTDIR/proxy.log")" 2 "ranged GETs"
}

@test "errors: unknown tag, unknown local image, bad reference" {
  run_berth pull "$REG/bb:nope"
  assert_status 1
  assert_eq "$output" "Error response from daemon: manifest for $REG/bb:nope not found: manifest unknown: manifest unknown"
  run_berth push "$REG/notthere:1"
  assert_status 1
  assert_eq "$output" "Error response from daemon: An image does not exist locally with the tag: $REG/notthere"
  run_berth pull "$REG/UPPER"
  assert_failure
  assert_match "$output" "invalid reference format"
}

@test "run of a missing image pulls it first" {
  b tag busybox "$REG/runpull:1"
  b push "$REG/runpull:1" >/dev/null
  b rmi "$REG/runpull:1" >/dev/null
  run_berth run --rm "$REG/runpull:1" echo hi
  assert_success
  assert_match "$output" "Unable to find image '$REG/runpull:1' locally"
  assert_match "$output" "hi"
}
