# Shared helpers for the berth-registry end-to-end tests (bats).
#
# BERTH_REGISTRY: the binary (default the worktree's build/). Every test gets
# TESTDIR (removed by teardown) and starts its own registry with
# start_registry on a port the kernel picks (--addr 127.0.0.1:0, read back
# from --addr-file) and its own --root; teardown stops every registry and
# daemon the test started, by PID.

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$E2E_DIR/../lib/assert.bash"
REPO_DIR="$(cd "$E2E_DIR/../../.." && pwd)"
SCRIPTS_DIR="${BERTH_SCRIPTS_DIR:-$REPO_DIR/scripts}"
BERTH_REGISTRY="${BERTH_REGISTRY:-$REPO_DIR/build/src/berth-registry/berth-registry}"
MKIMAGE="$E2E_DIR/../images/mkimage.py"
PY=/usr/bin/python3

setup() {
  TESTDIR="$(mktemp -d /tmp/berth-reg-XXXXXX)"
  chmod 0755 "$TESTDIR"
  ROOT="$TESTDIR/root"
  _DEFERRED=()
  _PIDS=()
  REG_PID=""
  # Logins (docker, berth) stay in the test's dir, never in ~/.docker.
  # (No REGISTRY_* variable here: docker-registry reads those as config.)
  unset BERTH_CONFIG
  export DOCKER_CONFIG="$TESTDIR/dockercfg"
  cd "$TESTDIR"
}

teardown() {
  cd /
  local i p
  for ((i = ${#_DEFERRED[@]} - 1; i >= 0; i--)); do
    eval "${_DEFERRED[i]}" >/dev/null 2>&1 || true
  done
  for p in "${_PIDS[@]}"; do stop_pid "$p" >/dev/null 2>&1 || true; done
  local m
  while read -r m; do umount -l "$m" 2>/dev/null || true; done \
    < <(awk -v d="$TESTDIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r)
  rm -rf "$TESTDIR"
}

defer() { _DEFERRED+=("$1"); }

# stop_pid PID: ../lib/procs.bash.

# start_registry [args...]: berth-registry on ROOT and a free loopback port;
# sets REG (host:port) and REG_PID; log in $TESTDIR/registry.log.
start_registry() {
  rm -f "$TESTDIR/addr"
  "$BERTH_REGISTRY" --root "$ROOT" --addr 127.0.0.1:0 --addr-file "$TESTDIR/addr" "$@" \
    </dev/null >>"$TESTDIR/registry.log" 2>&1 3>&- &
  REG_PID=$!
  _PIDS+=("$REG_PID")
  wait_for 20 test -s "$TESTDIR/addr" || fail "berth-registry did not start: $(cat "$TESTDIR/registry.log")"
  REG="$(cat "$TESTDIR/addr")"
}

# reg ARGS...: berth-registry on this test's root (management commands).
reg() { "$BERTH_REGISTRY" --root "$ROOT" "$@"; }

# api METHOD PATH [curl args...]: a request to the registry; prints the body
# and sets CODE to the HTTP status and HDRS to the response head file.
api() {
  local method="$1" path="$2"
  shift 2
  HDRS="$TESTDIR/hdrs"
  CODE="$(curl -s -o "$TESTDIR/body" -D "$HDRS" -w '%{http_code}' -X "$method" "$@" "http://$REG$path")"
  cat "$TESTDIR/body"
}

# hdr NAME: a header of the last api response.
hdr() { grep -i "^$1:" "$HDRS" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# err_code: the first error code of the last api response body.
err_code() { jq -r '.errors[0].code' <"$TESTDIR/body"; }

sha() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }

# push_blob REPO FILE [curl args]: monolithic upload; prints the digest.
push_blob() {
  local repo="$1" f="$2" d
  shift 2
  d="$(sha "$f")"
  api POST "/v2/$repo/blobs/uploads/?digest=$d" --data-binary "@$f" "$@" >/dev/null
  [[ "$CODE" == 201 ]] || { fail "push_blob $repo $f: $CODE $(cat "$TESTDIR/body")"; return 1; }
  echo "$d"
}

# manifest CFG_FILE LAYER_FILE...: an OCI image manifest naming them.
manifest() {
  local cfg="$1"
  shift
  local layers="" f
  for f in "$@"; do
    layers+="${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"$(sha "$f")\",\"size\":$(stat -c %s "$f")}"
  done
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
    "$(sha "$cfg")" "$(stat -c %s "$cfg")" "$layers"
}

# put_image REPO TAG [curl args]: pushes config + one random layer + manifest
# with curl; sets CFG, LAYER (files) and MDIGEST.
put_image() {
  local repo="$1" tag="$2"
  shift 2
  CFG="$TESTDIR/cfg-$RANDOM.json"
  LAYER="$TESTDIR/layer-$RANDOM.bin"
  echo "{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":$RANDOM}" >"$CFG"
  head -c 100000 /dev/urandom >"$LAYER"
  push_blob "$repo" "$CFG" "$@" >/dev/null || return 1
  push_blob "$repo" "$LAYER" "$@" >/dev/null || return 1
  manifest "$CFG" "$LAYER" >"$TESTDIR/m.json"
  api PUT "/v2/$repo/manifests/$tag" -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
    --data-binary "@$TESTDIR/m.json" "$@" >/dev/null
  [[ "$CODE" == 201 ]] || { fail "put manifest $repo:$tag: $CODE $(cat "$TESTDIR/body")"; return 1; }
  MDIGEST="$(sha "$TESTDIR/m.json")"
}

# test_image OUT.tar [--format docker|oci]: a two-layer docker-archive made by
# mkimage.py (one 2 MB incompressible layer, one small).
test_image() {
  local out="$1"
  shift
  $PY "$MKIMAGE" datalayer "$TESTDIR/l1.tar" data1 2000000 "$RANDOM" >/dev/null
  $PY "$MKIMAGE" layer "$TESTDIR/l2.tar" hello=@hi >/dev/null
  $PY "$MKIMAGE" archive "$out" "$@" --gzip --tag t/img:1 "$TESTDIR/l1.tar" "$TESTDIR/l2.tar" >/dev/null
}
