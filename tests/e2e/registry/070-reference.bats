#!/usr/bin/env bats
# Side by side with Debian's docker-registry (the reference implementation,
# no auth, delete enabled): the same requests get the same status codes,
# error codes and key headers from both registries.

load helpers

# start_reference: docker-registry on a free loopback port; sets REF.
start_reference() {
  require_tool docker-registry "Debian's docker-registry" || return 1
  local port
  port="$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  mkdir -p "$TESTDIR/ref"
  cat >"$TESTDIR/ref/config.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $TESTDIR/ref/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
  docker-registry serve "$TESTDIR/ref/config.yml" >"$TESTDIR/ref/log" 2>&1 &
  _PIDS+=($!)
  REF="127.0.0.1:$port"
  wait_for 20 curl -sf "http://$REF/v2/" || fail "docker-registry did not start: $(cat "$TESTDIR/ref/log")"
}

# both LABEL METHOD PATH [curl args]: the request against each registry;
# fails unless status and first error code agree.
both() {
  local label="$1" method="$2" path="$3" out=()
  shift 3
  local r
  for r in "$REG" "$REF"; do
    local code body
    local how=(-X "$method")
    [[ "$method" == HEAD ]] && how=(-I)
    code="$(curl -s --max-time 20 -o "$TESTDIR/b" -w '%{http_code}' "${how[@]}" "$@" "http://$r$path")"
    body="$(jq -r '.errors[0].code // empty' <"$TESTDIR/b" 2>/dev/null || true)"
    out+=("$code ${body:--}")
  done
  [[ "${out[0]}" == "${out[1]}" ]] || fail "$label: berth-registry '${out[0]}', docker-registry '${out[1]}'"
  echo "${out[0]}"
}

# setup_both: the same image (config + layer + OCI manifest) in lib/x:v1 of both.
setup_both() {
  echo '{"architecture":"amd64","os":"linux"}' >"$TESTDIR/cfg"
  head -c 70000 /dev/urandom >"$TESTDIR/layer"
  manifest "$TESTDIR/cfg" "$TESTDIR/layer" >"$TESTDIR/m.json"
  local r f
  for r in "$REG" "$REF"; do
    for f in "$TESTDIR/cfg" "$TESTDIR/layer"; do
      local loc
      loc="$(curl -s -D - -o /dev/null -X POST "http://$r/v2/lib/x/blobs/uploads/" | grep -i '^location:' | cut -d' ' -f2 | tr -d '\r')"
      [[ "$loc" == http* ]] || loc="http://$r$loc"
      [[ "$loc" == *\?* ]] && loc+="&" || loc+="?"
      curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$f" "${loc}digest=$(sha "$f")" >/dev/null \
        || fail "upload to $r"
    done
    curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
      --data-binary @"$TESTDIR/m.json" "http://$r/v2/lib/x/manifests/v1" >/dev/null || fail "manifest to $r"
  done
}

@test "same status and error codes as docker-registry for reads" {
  start_registry
  start_reference
  setup_both
  local L M Z
  L="$(sha "$TESTDIR/layer")"
  M="$(sha "$TESTDIR/m.json")"
  Z="sha256:$(printf '%064d' 0)"
  assert_eq "$(both ping GET /v2/)" "200 -"
  assert_eq "$(both manifest GET /v2/lib/x/manifests/v1 -H 'Accept: application/vnd.oci.image.manifest.v1+json')" "200 -"
  both "manifest by digest" GET "/v2/lib/x/manifests/$M" -H 'Accept: application/vnd.oci.image.manifest.v1+json' >/dev/null
  assert_eq "$(both "unknown tag" GET /v2/lib/x/manifests/nope)" "404 MANIFEST_UNKNOWN"
  assert_eq "$(both "unknown manifest digest" GET "/v2/lib/x/manifests/$Z")" "404 MANIFEST_UNKNOWN"
  assert_eq "$(both blob GET "/v2/lib/x/blobs/$L")" "200 -"
  assert_eq "$(both "blob range" GET "/v2/lib/x/blobs/$L" -H 'Range: bytes=0-99')" "206 -"
  assert_eq "$(both "unknown blob" GET "/v2/lib/x/blobs/$Z")" "404 BLOB_UNKNOWN"
  assert_eq "$(both "blob via another repository" GET "/v2/lib/other/blobs/$L")" "404 BLOB_UNKNOWN"
  assert_eq "$(both "tags" GET /v2/lib/x/tags/list)" "200 -"
  assert_eq "$(both "tags of an unknown repository" GET /v2/lib/nothing/tags/list)" "404 NAME_UNKNOWN"
  # an invalid name: docker-registry's router answers a plain 404, the spec
  # (and berth-registry) 400 NAME_INVALID
  api GET /v2/Lib/X/tags/list >/dev/null
  assert_eq "$CODE $(err_code)" "400 NAME_INVALID"
  assert_eq "$(both "catalog" GET /v2/_catalog)" "200 -"
  assert_eq "$(both "unknown upload" GET "/v2/lib/x/blobs/uploads/3f86bcb9-36d2-4973-a35d-92a3d2a3778d")" "404 BLOB_UPLOAD_UNKNOWN"
}

@test "same status and error codes as docker-registry for writes" {
  start_registry
  start_reference
  setup_both
  local Z
  Z="sha256:$(printf '%064d' 0)"
  echo other >"$TESTDIR/other"
  # a finished upload whose content does not match its digest
  local r codes=()
  for r in "$REG" "$REF"; do
    local loc
    loc="$(curl -s -D - -o /dev/null -X POST "http://$r/v2/lib/x/blobs/uploads/" | grep -i '^location:' | cut -d' ' -f2 | tr -d '\r')"
    [[ "$loc" == http* ]] || loc="http://$r$loc"
    [[ "$loc" == *\?* ]] && loc+="&" || loc+="?"
    codes+=("$(curl -s -o "$TESTDIR/b" -w '%{http_code}' -X PUT --data-binary @"$TESTDIR/other" "${loc}digest=$Z") $(jq -r '.errors[0].code' <"$TESTDIR/b")")
  done
  assert_eq "${codes[0]}" "${codes[1]}" "digest mismatch"
  assert_eq "${codes[0]}" "400 DIGEST_INVALID"
  # a manifest naming a blob the repository lacks
  sed "s/$(sha "$TESTDIR/layer")/$Z/" "$TESTDIR/m.json" >"$TESTDIR/bad.json"
  assert_eq "$(both "manifest with an unknown blob" PUT /v2/lib/x/manifests/bad \
    -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$TESTDIR/bad.json")" \
    "400 MANIFEST_BLOB_UNKNOWN"
  assert_eq "$(both "manifest pushed by a wrong digest" PUT "/v2/lib/x/manifests/$Z" \
    -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$TESTDIR/m.json")" \
    "400 DIGEST_INVALID"
  assert_eq "$(both "upload start" POST /v2/lib/y/blobs/uploads/)" "202 -"
  assert_eq "$(both "mount" POST "/v2/lib/y/blobs/uploads/?mount=$(sha "$TESTDIR/layer")&from=lib/x")" "201 -"
  assert_eq "$(both "delete manifest" DELETE "/v2/lib/x/manifests/$(sha "$TESTDIR/m.json")")" "202 -"
  assert_eq "$(both "delete it again" DELETE "/v2/lib/x/manifests/$(sha "$TESTDIR/m.json")")" "404 MANIFEST_UNKNOWN"
  assert_eq "$(both "delete blob" DELETE "/v2/lib/x/blobs/$(sha "$TESTDIR/layer")")" "202 -"
  assert_eq "$(both "blob after delete" HEAD "/v2/lib/x/blobs/$(sha "$TESTDIR/layer")")" "404 -"
}
