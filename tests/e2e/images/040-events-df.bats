#!/usr/bin/env bats
# events (streaming, --since/--until, --filter, --format) and system df.

load helpers

# tag_and_look N FILE: tags busybox as ev:N, true once FILE shows a tag event.
tag_and_look() {
  b tag busybox "ev:$((++_EV))" >/dev/null
  grep -q '"Action":"tag"' "$1"
}

@test "events: a tag shows up on a running stream" {
  start_berthd
  make_busybox
  b events --format '{{json .}}' >"$TESTDIR/events.out" 2>"$TESTDIR/events.err" 3>&- &
  local epid=$!
  defer "kill $epid"
  _EV=0
  # the stream has no handshake to wait for: keep tagging until one arrives
  wait_for 20 tag_and_look "$TESTDIR/events.out" \
    || fail "no tag event: $(cat "$TESTDIR/events.out" "$TESTDIR/events.err")"
  local ev
  ev="$(grep -m1 '"Action":"tag"' "$TESTDIR/events.out")"
  jq -e --arg id "$BUSYBOX_ID" '.Type == "image" and .Action == "tag" and .id == $id and
       (.Actor.Attributes.name | startswith("ev:")) and .time > 0 and .timeNano > 0' <<<"$ev" >/dev/null \
    || fail "event shape: $ev"
  pid_alive "$epid" || fail "the events stream ended"
}

@test "events --since/--until replays image events in Docker's text form" {
  local t0
  t0="$(date +%s)"
  start_berthd
  make_busybox
  b tag busybox ev:1
  b rmi ev:1 >/dev/null
  run_berth events --since "$t0" --until "$(($(date +%s) + 1))"
  assert_success
  assert_match "$output" "image import $BUSYBOX_ID"
  assert_match "$output" "image tag $BUSYBOX_ID \\(name=ev:1\\)"
  assert_match "$output" "image untag $BUSYBOX_ID"
  run_berth events --since "$t0" --until "$(($(date +%s) + 1))" --filter event=tag --format '{{.Action}} {{.Actor.Attributes.name}}'
  assert_success
  assert_eq "$output" "tag ev:1"
}

@test "events: load and save are reported" {
  local t0
  t0="$(date +%s)"
  start_berthd
  make_busybox
  b save -o "$TESTDIR/bb.tar" busybox
  b load -i "$TESTDIR/bb.tar" >/dev/null
  run_berth events --since "$t0" --until "$(($(date +%s) + 1))" --format '{{.Action}}'
  assert_success
  assert_output_has "save"
  assert_output_has "load"
}

@test "system df: Docker's table, sizes, reclaimable; --format; -v" {
  start_berthd
  run_berth system df
  assert_success
  assert_match "${lines[0]}" "^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$"
  assert_match "${lines[1]}" "^Images +0 +0 +0B +0B$"
  make_busybox
  # Docker prints df sizes with 4 significant digits (units.HumanSize)
  local size
  size="$(b image inspect -f '{{.Size}}' busybox | awk '{printf "%.4g", $1 / 1e6}')MB"
  run_berth system df
  assert_success
  assert_match "${lines[1]}" "^Images +1 +0 +$size +$size \\(100%\\)$"
  assert_match "$output" "Containers +0 +0 +0B +0B"
  run_berth system df --format '{{.Type}} {{.TotalCount}}'
  assert_success
  assert_eq "${lines[0]}" "Images 1"
  run_berth system df -v
  assert_success
  assert_output_has "Images space usage:"
  assert_match "$output" "busybox +latest +${BUSYBOX_ID:7:12}"
}

@test "/system/df over the API: LayersSize and image list" {
  start_berthd
  make_busybox
  run api GET /v1.41/system/df
  assert_eq "${lines[-1]}" 200
  jq -e --arg id "$BUSYBOX_ID" '.LayersSize > 1000000 and (.Images | length) == 1 and .Images[0].Id == $id
       and .Images[0].Containers == 0 and (.Containers | length) == 0' <<<"${lines[0]}" >/dev/null \
    || fail "system/df: ${lines[0]}"
}
