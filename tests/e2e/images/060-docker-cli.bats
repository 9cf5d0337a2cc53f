#!/usr/bin/env bats
# The real docker CLI against berthd: Debian's 20.10 client (/usr/bin/docker)
# and the 28.x client (/usr/local/bin/docker), each command of the issue.

load helpers
load ../lib/docker_cli

setup_file() { need_docker_clients; }

# clients, run_docker: ../lib/docker_cli.bash (DOCKER_CONFIG: setup()'s).

@test "docker version and info against berthd" {
  start_berthd
  make_busybox
  local c
  for c in $(clients); do
    run_docker "$c" version --format '{{.Server.APIVersion}} {{.Server.Os}}'
    assert_success "$c version"
    assert_eq "$output" "1.41 linux" "$c version"
    run_docker "$c" version
    assert_success "$c version (table)"
    assert_match "$output" "Server"
    run_docker "$c" info --format '{{.Images}} {{.Driver}} {{.DockerRootDir}}'
    assert_success "$c info"
    assert_eq "$output" "1 overlay2 $DATA" "$c info"
    run_docker "$c" info
    assert_success "$c info (text)"
    assert_match "$output" "Images: 1"
    assert_no_match "$output" "ERROR|WARNING: .*error" "$c info errors"
  done
}

@test "docker images, inspect, history against berthd" {
  start_berthd
  make_busybox
  local c
  for c in $(clients); do
    run_docker "$c" images
    assert_success "$c images"
    assert_match "${lines[0]}" "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE"
    assert_match "${lines[1]}" "^busybox +latest +${BUSYBOX_ID:7:12} "
    run_docker "$c" images -q --no-trunc
    assert_eq "$output" "$BUSYBOX_ID" "$c images -q"
    run_docker "$c" images --filter dangling=false --format '{{.Repository}}:{{.Tag}}'
    assert_eq "$output" "busybox:latest" "$c images --filter"
    run_docker "$c" image inspect -f '{{.Id}} {{json .Config.Cmd}}' busybox
    assert_eq "$output" "$BUSYBOX_ID [\"sh\"]" "$c image inspect"
    run_docker "$c" inspect --type image -f '{{.Os}}' busybox
    assert_eq "$output" linux "$c inspect --type image"
    run_docker "$c" inspect -f '{{.Id}}' busybox
    assert_eq "$output" "$BUSYBOX_ID" "$c inspect (no type: container lookup falls through to image)"
    run_docker "$c" image inspect nope
    assert_status 1 "$c image inspect nope"
    assert_error_mentions "No such image: nope"
    run_docker "$c" history busybox
    assert_success "$c history"
    assert_match "${lines[0]}" "^IMAGE +CREATED +CREATED BY +SIZE +COMMENT"
    run_docker "$c" history -q --no-trunc busybox
    assert_eq "$output" "$BUSYBOX_ID" "$c history -q"
  done
}

@test "docker tag and rmi against berthd: messages and exit codes" {
  start_berthd
  make_busybox
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    run_docker "$c" tag busybox "dc/t$n:1"
    assert_success "$c tag"
    assert_eq "$(b image inspect -f '{{.Id}}' "dc/t$n:1")" "$BUSYBOX_ID" "$c tag result"
    run_docker "$c" rmi "${BUSYBOX_ID:7:12}"
    assert_status 1 "$c rmi of an ID with two tags"
    assert_error_mentions "must be forced"
    run_docker "$c" rmi "dc/t$n:1"
    assert_success "$c rmi"
    assert_eq "$output" "Untagged: dc/t$n:1"
    run_docker "$c" rmi nope:1
    assert_status 1 "$c rmi nope"
    assert_error_mentions "No such image: nope:1"
    run_docker "$c" tag busybox 'UP:1'
    assert_status 1 "$c tag with a bad name"
  done
  run_docker /usr/bin/docker rmi busybox
  [[ -x /usr/bin/docker ]] || run_docker /usr/local/bin/docker rmi busybox
  assert_success "last rmi"
  assert_output_has "Deleted: $BUSYBOX_ID"
  assert_eq "$(image_ids)" ""
}

@test "docker save, load and import against berthd" {
  start_berthd
  make_busybox
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    run_docker "$c" save -o "$TESTDIR/s$n.tar" busybox
    assert_success "$c save"
    jq -e '.[0].RepoTags == ["busybox:latest"]' <(tar -xOf "$TESTDIR/s$n.tar" manifest.json) >/dev/null \
      || fail "$c save: bad manifest"
    run_docker "$c" rmi busybox
    assert_success
    run_docker "$c" load -i "$TESTDIR/s$n.tar"
    assert_success "$c load"
    assert_output_has "Loaded image: busybox:latest"
    assert_eq "$(b images -q --no-trunc busybox)" "$BUSYBOX_ID" "$c load: same ID"
    run bash -c "env DOCKER_CONFIG='$TESTDIR/dockercfg' '$c' -H '$HOST' load <'$TESTDIR/s$n.tar'"
    assert_success "$c load from stdin"
    run_docker "$c" import -c 'CMD ["sh"]' -m "via $c" "$(busybox_tar)" "dc/imp$n:1"
    assert_success "$c import"
    assert_match "$output" "^sha256:[0-9a-f]{64}$"
    assert_eq "$(b history --format '{{.Comment}}' "dc/imp$n:1")" "via $c" "$c import -m"
    run bash -c "env DOCKER_CONFIG='$TESTDIR/dockercfg' '$c' -H '$HOST' import - dc/stdin$n <'$(busybox_tar)'"
    assert_success "$c import from stdin"
    run_docker "$c" import http://127.0.0.1:9/x.tar dc/url
    assert_status 1 "$c import of a URL"
    assert_error_mentions "offline"
    run_docker "$c" image prune -f
    assert_success "$c image prune"
    run_docker "$c" system df
    assert_success "$c system df"
    assert_match "$output" "Images +[0-9]+"
  done
}

@test "docker events against berthd shows a tag" {
  start_berthd
  make_busybox
  local c t0
  for c in $(clients); do
    t0="$(date +%s)"
    b tag busybox "ev/x:$RANDOM"
    run_docker "$c" events --since "$t0" --until "$(($(date +%s) + 1))" --filter event=tag --format '{{.Type}} {{.Action}}'
    assert_success "$c events"
    assert_match "$output" "image tag" "$c events"
  done
}
