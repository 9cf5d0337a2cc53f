#!/usr/bin/env bats
# images (list, filters, format), inspect, history, tag, rmi, image prune.

load helpers

# clock_past T: the wall clock is past second T.
clock_past() {
  (($(date +%s) > $1))
}

# Every test here needs a daemon; the helpers' setup runs first.
load_daemon() {
  start_berthd
  make_busybox
}

# imp REF [import args...]: imports a one-file layer as REF; prints the ID.
imp() {
  local ref="$1"
  shift
  small_layer "$TESTDIR/l-$RANDOM.tar" "$ref"
  b import "$@" "$TESTDIR"/l-*.tar ${ref:+"$ref"} | tail -1
  rm -f "$TESTDIR"/l-*.tar
}

@test "images: Docker's columns, -q, --no-trunc, -a" {
  load_daemon
  run_berth images
  assert_success
  assert_match "${lines[0]}" "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$"
  assert_match "${lines[1]}" "^busybox +latest +${BUSYBOX_ID:7:12} +(Less than a second|[0-9]+ seconds?) ago +[0-9.]+MB$"
  assert_lines 2
  run_berth images -q
  assert_eq "$output" "${BUSYBOX_ID:7:12}"
  run_berth images -q --no-trunc
  assert_eq "$output" "$BUSYBOX_ID"
  run_berth images -a --no-trunc
  assert_match "${lines[1]}" "$BUSYBOX_ID"
  run_berth images busybox
  assert_lines 2
  run_berth images nothing-like-it
  assert_lines 1
}

@test "images --digests shows a DIGEST column" {
  load_daemon
  run_berth images --digests
  assert_success
  assert_match "${lines[0]}" "^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$"
  assert_match "${lines[1]}" "^busybox +latest +<none> +${BUSYBOX_ID:7:12}"
}

@test "images --filter dangling, label, reference, before, since" {
  load_daemon
  # one image per wall-clock second (sub-second order has its own test)
  local a c d
  wait_for 3 clock_past "$(date +%s)"
  a="$(imp first:1 -c 'LABEL team=red')"
  wait_for 3 clock_past "$(date +%s)"
  c="$(imp second:1 -c 'LABEL team=blue')"
  wait_for 3 clock_past "$(date +%s)"
  d="$(imp '')"
  assert_match "$d" "^sha256:" "untagged import prints the ID"
  run_berth images --filter dangling=true -q --no-trunc
  assert_eq "$output" "$d" "dangling=true"
  run_berth images --filter dangling=false -q
  assert_lines 3
  run_berth images --filter label=team=red -q --no-trunc
  assert_eq "$output" "$a" "label=team=red"
  run_berth images --filter label=team -q
  assert_lines 2
  run_berth images --filter reference='fir*' --format '{{.Repository}}:{{.Tag}}'
  assert_eq "$output" "first:1" "reference=fir*"
  run_berth images --filter reference='*:1' -q
  assert_lines 2
  run_berth images --filter before=second:1 --format '{{.Repository}}'
  assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "busybox first " "before=second:1"
  run_berth images --filter since=first:1 -q --no-trunc
  assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "$(printf '%s\n' "$c" "$d" | sort | tr '\n' ' ')" "since=first:1"
  run_berth images --filter bogus=1
  assert_status 1
  assert_error_mentions "invalid filter 'bogus'"
}

@test "images --filter before/since compare creation times to the nanosecond, as Docker" {
  start_berthd
  small_layer "$TESTDIR/l1.tar" one
  small_layer "$TESTDIR/l2.tar" two
  local early late
  early="$(archive "$TESTDIR/a1.tar" --tag t/early:1 --created 2023-11-14T22:13:20.100000000Z "$TESTDIR/l1.tar")"
  late="$(archive "$TESTDIR/a2.tar" --tag t/late:1 --created 2023-11-14T22:13:20.900000000Z "$TESTDIR/l2.tar")"
  b load -i "$TESTDIR/a1.tar" >/dev/null
  b load -i "$TESTDIR/a2.tar" >/dev/null
  run_berth images --filter before=t/late:1 -q --no-trunc
  assert_success
  assert_eq "$output" "$early" "before=t/late:1 (same second, 0.8 s earlier)"
  run_berth images --filter since=t/early:1 -q --no-trunc
  assert_eq "$output" "$late" "since=t/early:1"
}

@test "images --format: fields, table, json" {
  load_daemon
  b tag busybox other:2
  run_berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
  assert_success
  assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "busybox:latest ${BUSYBOX_ID:7:12} other:2 ${BUSYBOX_ID:7:12} "
  run_berth images --format 'table {{.Repository}}\t{{.Tag}}'
  assert_match "${lines[0]}" "^REPOSITORY +TAG$"
  assert_lines 3
  run_berth images --format '{{json .}}' busybox
  jq -e '.Repository == "busybox" and .Tag == "latest" and (.Size | length > 0)' <<<"$output" >/dev/null \
    || fail "json: $output"
  run_berth images --format '{{.Nope}}'
  assert_failure "unknown field"
}

@test "image inspect and inspect: Docker's fields, --format, missing image" {
  load_daemon
  run_berth image inspect busybox
  assert_success
  jq -e --arg id "$BUSYBOX_ID" '
    length == 1 and .[0].Id == $id and .[0].RepoTags == ["busybox:latest"] and
    .[0].RepoDigests == [] and .[0].Os == "linux" and .[0].Architecture == "amd64" and
    .[0].Config.Cmd == ["sh"] and .[0].RootFS.Type == "layers" and
    (.[0].RootFS.Layers | length) == 1 and .[0].Size > 1000000 and
    (.[0].Created | test("^[0-9]{4}-")) and .[0].GraphDriver.Name == "overlay2" and
    (.[0] | has("Parent") and has("Comment") and has("VirtualSize") and has("Metadata"))' \
    <<<"$output" >/dev/null || fail "inspect fields: $output"
  local a
  a="$(b inspect busybox)"
  assert_eq "$a" "$output" "inspect == image inspect"
  run_berth inspect --format '{{.Id}} {{index .RepoTags 0}} {{json .Config.Cmd}}' busybox
  assert_eq "$output" "$BUSYBOX_ID busybox:latest [\"sh\"]"
  run_berth image inspect -f '{{.Os}}' "${BUSYBOX_ID:7:12}"
  assert_eq "$output" linux "inspect by short ID"
  # Docker prints an empty list on stdout, then the error
  run_berth image inspect nope
  assert_status 1
  assert_eq "${lines[0]}" "[]"
  assert_eq "${lines[-1]}" "Error: No such image: nope"
  run_berth inspect nope
  assert_status 1
  assert_eq "${lines[-1]}" "Error: No such object: nope"
  run_berth image inspect busybox nope
  assert_status 1 "one found, one missing"
  assert_output_has "No such image: nope"
}

@test "history: columns, -q, --no-trunc, --format" {
  load_daemon
  run_berth history busybox
  assert_success
  assert_match "${lines[0]}" "^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$"
  assert_match "${lines[1]}" "^${BUSYBOX_ID:7:12} +.* ago .*busybox-static from the host"
  assert_lines 2
  run_berth history -q busybox
  assert_eq "$output" "${BUSYBOX_ID:7:12}"
  run_berth history -q --no-trunc busybox
  assert_eq "$output" "$BUSYBOX_ID"
  run_berth history --format '{{.ID}}|{{.Comment}}' busybox
  assert_eq "$output" "${BUSYBOX_ID:7:12}|busybox-static from the host"
  run_berth history nope
  assert_status 1
  assert_error_mentions "No such image: nope"
}

@test "tag: normalised names, retag, bad references get Docker's errors" {
  load_daemon
  run_berth tag busybox docker.io/library/bb:1
  assert_success
  run_berth tag "${BUSYBOX_ID:7:12}" example.com:5000/team/app:v2.0
  assert_success
  run_berth images --format '{{.Repository}}:{{.Tag}}'
  assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "bb:1 busybox:latest example.com:5000/team/app:v2.0 "
  run_berth image inspect -f '{{json .RepoTags}}' bb:1
  assert_match "$output" '"bb:1"'
  run_berth tag busybox UPPER
  assert_status 1
  # 20.10's text, or the newer one that names the repository
  assert_match "$output" 'invalid reference format: repository name (\(library/UPPER\) )?must be lowercase'
  run_berth tag busybox 'bad:tag:x'
  assert_status 1
  assert_output_has 'invalid reference format'
  run_berth tag nope:1 x:1
  assert_status 1
  assert_output_has 'No such image: nope:1'
  run_berth tag busybox
  assert_status 1 "missing argument"
  assert_output_has 'tag" requires exactly 2 arguments'
}

@test "rmi: untag vs delete, Docker's messages" {
  load_daemon
  b tag busybox keep:1
  run_berth rmi busybox
  assert_success
  assert_eq "$output" "Untagged: busybox:latest" "untag only while another tag remains"
  run_berth images -q --no-trunc
  assert_eq "$output" "$BUSYBOX_ID" "the image is still there"
  run_berth rmi keep:1
  assert_success
  assert_eq "${lines[0]}" "Untagged: keep:1"
  assert_eq "${lines[1]}" "Deleted: $BUSYBOX_ID"
  run_berth images -a -q
  assert_eq "$output" "" "no image left"
  local left
  left="$(ls "$DATA/image/layers")"
  assert_eq "$left" "" "layer dirs after the last image went"
  run_berth rmi nope
  assert_status 1
  assert_eq "$output" "Error: No such image: nope"
}

@test "rmi of an ID with several tags needs -f; -f removes them all" {
  load_daemon
  b tag busybox second:1
  run_berth rmi "${BUSYBOX_ID:7:12}"
  assert_status 1
  assert_eq "$output" "Error response from daemon: conflict: unable to delete ${BUSYBOX_ID:7:12} (must be forced) - image is referenced in multiple repositories"
  run_berth images -q
  assert_lines 2
  run_berth rmi -f "${BUSYBOX_ID:7:12}"
  assert_success
  assert_output_has "Untagged: busybox:latest"
  assert_output_has "Untagged: second:1"
  assert_output_has "Deleted: $BUSYBOX_ID"
  run_berth images -a -q
  assert_eq "$output" ""
}

@test "rmi of several names: each is handled, a missing one makes the exit status 1" {
  load_daemon
  b tag busybox a:1
  b tag busybox c:1
  run_berth rmi a:1 nope:1 c:1
  assert_status 1
  assert_output_has "Untagged: a:1"
  assert_output_has "Untagged: c:1"
  assert_output_has "No such image: nope:1"
  run_berth images --format '{{.Repository}}'
  assert_eq "$output" busybox
}

@test "image prune removes dangling images only; -a removes every unused image" {
  load_daemon
  local d
  d="$(imp '')"
  imp keep:1 >/dev/null
  run_berth image prune -f
  assert_success
  assert_match "${lines[0]}" "^Deleted Images:"
  assert_output_has "deleted: $d"
  assert_match "${lines[-1]}" "^Total reclaimed space: [0-9.]+[kMG]?B$"
  run_berth images -q
  assert_lines 2 "tagged images survive prune"
  run_berth image prune -f
  assert_success
  assert_eq "$output" "Total reclaimed space: 0B" "nothing left to prune"
  run_berth image prune -a -f
  assert_success
  assert_output_has "untagged: busybox:latest"
  run_berth images -a -q
  assert_eq "$output" "" "prune -a with no containers"
  assert_eq "$(ls "$DATA/image/layers")" "" "no layer dir left"
}

@test "image prune --filter label" {
  load_daemon
  imp '' -c 'LABEL gc=yes' >/dev/null
  local keep
  keep="$(imp '' -c 'LABEL gc=no')"
  run_berth image prune -f --filter label=gc=yes
  assert_success
  run_berth images -a -q --no-trunc --filter dangling=true
  assert_eq "$output" "$keep"
}
