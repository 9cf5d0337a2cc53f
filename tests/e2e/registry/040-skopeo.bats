#!/usr/bin/env bats
# skopeo (containers/image) pushes to and pulls from berth-registry, with
# Docker schema2 and OCI manifests, anonymous and with credentials.

load helpers

setup_file() {
  require_tool skopeo
}

@test "skopeo copy docker-archive -> berth-registry -> oci layout, Docker schema2 and OCI" {
  start_registry
  test_image "$TESTDIR/img.tar" --format docker
  run skopeo copy --dest-tls-verify=false "docker-archive:$TESTDIR/img.tar" "docker://$REG/lib/img:docker"
  assert_success "skopeo push (schema2)"
  run skopeo copy --dest-tls-verify=false --format oci "docker-archive:$TESTDIR/img.tar" "docker://$REG/lib/img:oci"
  assert_success "skopeo push (oci)"
  assert_eq "$(skopeo inspect --raw --tls-verify=false "docker://$REG/lib/img:docker" | jq -r .mediaType)" \
    application/vnd.docker.distribution.manifest.v2+json
  assert_eq "$(skopeo inspect --raw --tls-verify=false "docker://$REG/lib/img:oci" | jq -r .mediaType)" \
    application/vnd.oci.image.manifest.v1+json
  run skopeo copy --src-tls-verify=false "docker://$REG/lib/img:docker" "oci:$TESTDIR/out:docker"
  assert_success "skopeo pull"
  run skopeo copy --src-tls-verify=false "docker://$REG/lib/img:oci" "docker-archive:$TESTDIR/back.tar:x/y:1"
  assert_success "skopeo pull (oci)"
  # the layers came back byte for byte: same digests as the pushed ones
  assert_eq "$(skopeo inspect "oci:$TESTDIR/out:docker" | jq -c .Layers)" \
    "$(skopeo inspect --tls-verify=false "docker://$REG/lib/img:docker" | jq -c .Layers)"
  assert_eq "$(skopeo list-tags --tls-verify=false "docker://$REG/lib/img" | jq -c .Tags)" '["docker","oci"]'
}

@test "skopeo with --dest-creds in a namespace; refused outside it and with a bad password" {
  reg user add alice --password alice-pw >/dev/null
  start_registry
  test_image "$TESTDIR/img.tar" --format docker
  run skopeo copy --dest-tls-verify=false --dest-creds alice:alice-pw \
    "docker-archive:$TESTDIR/img.tar" "docker://$REG/alice/img:1"
  assert_success "push into alice/"
  run skopeo copy --dest-tls-verify=false --dest-creds alice:alice-pw \
    "docker-archive:$TESTDIR/img.tar" "docker://$REG/bob/img:1"
  assert_failure "push into bob/"
  assert_match "$output" "denied|DENIED"
  run skopeo copy --dest-tls-verify=false --dest-creds alice:wrong \
    "docker-archive:$TESTDIR/img.tar" "docker://$REG/alice/img:2"
  assert_failure "bad password"
  assert_match "$output" "incorrect username or password|unauthorized"
  # public: anonymous pull works, with a second push mounting nothing new
  run skopeo copy --src-tls-verify=false "docker://$REG/alice/img:1" "oci:$TESTDIR/out:1"
  assert_success "anonymous pull"
  run skopeo copy --src-tls-verify=false --dest-tls-verify=false --dest-creds alice:alice-pw \
    "docker://$REG/alice/img:1" "docker://$REG/alice/copy:1"
  assert_success "registry to registry (cross-repository mount)"
  assert_eq "$(find "$ROOT/blobs" -type f | wc -l)" 4 "blobs stored once"
  # private: anonymous pull refused
  reg repo set alice/img --private >/dev/null
  run skopeo copy --src-tls-verify=false "docker://$REG/alice/img:1" "oci:$TESTDIR/out2:1"
  assert_failure "anonymous pull of a private repository"
  run skopeo copy --src-tls-verify=false --src-creds alice:alice-pw "docker://$REG/alice/img:1" "oci:$TESTDIR/out2:1"
  assert_success "owner pulls a private repository"
}
