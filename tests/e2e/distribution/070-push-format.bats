#!/usr/bin/env bats
# What berth push writes: gzip blobs (FastGzip: deflated slices where the
# data shrinks, stored ones where it does not) that every reader takes,
# whose content is the layer's diff ID, and the same bytes for the same
# layer on any registry. Readers: python's gzip, skopeo, and the real
# dockerd (20.10, its own roots, --bridge=none, stopped by PID).

load helpers

setup_file() {
  require_tool "$BERTH_REGISTRY" "berth-registry: ninja berth-registry" || return 1
  dt_setup_file
  start_berth_registry breg
  echo "$REG" >"$CTDIR/breg.addr"
  start_registry dreg
  echo "$REG" >"$CTDIR/dreg.addr"
  # One layer: 3 MiB random, 4 MiB text, 2 MiB random (probed, stored,
  # deflated and stored again), then the image.
  "$PY" - "$CTDIR/mixed.tar" <<'PYEOF'
import io, os, random, sys, tarfile
r = random.Random(7)
data = r.randbytes(3 << 20)
text = b"".join(b"line %d of some text that compresses well\n" % i for i in range(200000))[: 4 << 20]
data += text + r.randbytes(2 << 20)
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    ti = tarfile.TarInfo("mixed.bin"); ti.size = len(data); ti.mode = 0o644; ti.mtime = 1700000000
    t.addfile(ti, io.BytesIO(data))
PYEOF
  "$PY" "$MKIMAGE" archive "$CTDIR/mixed-img.tar" --tag mixed:1 "$CTDIR/mixed.tar" >/dev/null
  b load -i "$CTDIR/mixed-img.tar" >/dev/null
}

teardown_file() {
  [[ -z "${DOCKERD_PID:-}" ]] || stop_dockerd
  dt_teardown_file
}

setup() {
  BREG="$(cat "$CTDIR/breg.addr")"
  DREG="$(cat "$CTDIR/dreg.addr")"
}
teardown() { ct_teardown; }

# layer_of REG REPO TAG: "DIGEST SIZE" of the manifest's only layer.
layer_of() {
  curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$1/v2/$2/manifests/$3" | "$PY" -c \
    'import json,sys; l=json.load(sys.stdin)["layers"]; assert len(l) == 1; print(l[0]["digest"], l[0]["size"])'
}

@test "a pushed layer is gzip of the diff ID's bytes, and the same blob on another registry" {
  local diff
  diff="$(b inspect --format '{{index .RootFS.Layers 0}}' mixed:1)"
  b tag mixed:1 "$BREG/fmt:1"
  b tag mixed:1 "$DREG/fmt:1"
  run_berth push "$BREG/fmt:1"
  assert_success
  run_berth push "$DREG/fmt:1"
  assert_success
  local a b size
  a="$(layer_of "$BREG" fmt 1)"
  b="$(layer_of "$DREG" fmt 1)"
  assert_eq "$b" "$a" "layer digest and size on berth-registry and docker-registry"
  read -r a size <<<"$a"
  curl -s "http://$BREG/v2/fmt/blobs/$a" >"$CTDIR/blob.gz"
  assert_eq "$(stat -c %s "$CTDIR/blob.gz")" "$size"
  assert_eq "sha256:$(sha256sum <"$CTDIR/blob.gz" | cut -d' ' -f1)" "$a" "blob digest"
  gzip -t "$CTDIR/blob.gz" || fail "gzip -t refuses the blob"
  assert_eq "sha256:$(gzip -dc "$CTDIR/blob.gz" | sha256sum | cut -d' ' -f1)" "$diff" "uncompressed = diff ID"
  # Compressed where it pays: the 4 MiB of text shrank, the random parts did not grow much.
  local plain
  plain="$(stat -c %s "$CTDIR/mixed.tar")"
  ((size < plain - 3000000 && size > plain - 4300000)) || fail "blob size $size for a $plain-byte tar"
}

start_dockerd() {
  require_tool dockerd "Debian's docker.io" || return 1
  local d="$CTDIR/docker"
  mkdir -p "$d"
  dockerd --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/docker.sock" \
    --pidfile "$d/dockerd.pid" --bridge=none --iptables=false --ip6tables=false \
    --ip-masq=false --userland-proxy=false --log-level=warn \
    </dev/null >>"$CTDIR/dockerd.log" 2>&1 3>&- &
  DOCKERD_PID=$!
  echo "$DOCKERD_PID" >"$CTDIR/dockerd.pid"
  D=(/usr/bin/docker -H "unix://$d/docker.sock")
  wait_for 90 curl -sf --unix-socket "$d/docker.sock" http://d/_ping \
    || fail "dockerd did not start: $(tail -20 "$CTDIR/dockerd.log")"
}

stop_dockerd() {
  local pid
  pid="$(cat "$CTDIR/dockerd.pid" 2>/dev/null)" || return 0
  stop_dockerd_tree "$pid" || true
  rm -f "$CTDIR/dockerd.pid"
}

@test "dockerd and skopeo pull what berth pushed" {
  local diff
  diff="$(b inspect --format '{{index .RootFS.Layers 0}}' mixed:1)"
  b tag mixed:1 "$BREG/fmt:2"
  run_berth push "$BREG/fmt:2"
  assert_success
  run_cmd skopeo copy --src-tls-verify=false "docker://$BREG/fmt:2" "dir:$CTDIR/skopeo-out"
  assert_success
  start_dockerd
  run_cmd "${D[@]}" pull "$BREG/fmt:2"
  local rc=$status out="$output"
  stop_dockerd
  rm -f "$CTDIR/dockerd.pid"
  [[ $rc -eq 0 ]] || fail "docker pull: $out"
  assert_match "$out" "Status: Downloaded newer image for $BREG/fmt:2"
}
