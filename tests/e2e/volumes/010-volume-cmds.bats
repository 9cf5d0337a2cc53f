#!/usr/bin/env bats
# berth volume create/ls/inspect/rm/prune: outputs, filters, errors and
# exit codes as docker 20.10's (checked side by side with dockerd 20.10).

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { vol_teardown; }

@test "volume create prints the name; inspect shows Docker's object" {
  run_berth volume create --label a=b data1
  assert_success
  assert_eq "$output" "data1"
  run_berth volume inspect data1
  assert_success
  assert_eq "$(jq -r '.[0].Driver' <<<"$output")" "local"
  assert_eq "$(jq -r '.[0].Scope' <<<"$output")" "local"
  assert_eq "$(jq -r '.[0].Labels.a' <<<"$output")" "b"
  assert_eq "$(jq -c '.[0].Options' <<<"$output")" "{}"
  assert_eq "$(jq -r '.[0].Mountpoint' <<<"$output")" "$DATA/volumes/data1/_data"
  assert_match "$(jq -r '.[0].CreatedAt' <<<"$output")" '^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]+Z$'
  [[ -d "$DATA/volumes/data1/_data" ]] || fail "no _data directory"
  run_berth volume inspect -f '{{.Name}} {{.Driver}}' data1
  assert_eq "$output" "data1 local"
  # Idempotent: a second create returns the same volume.
  run_berth volume create data1
  assert_success
  assert_eq "$output" "data1"
  # Anonymous: a random 64-hex name.
  run_berth volume create
  assert_success
  assert_match "$output" '^[0-9a-f]{64}$'
}

@test "volume create errors: name, options, driver" {
  run_berth volume create a/b
  assert_failure
  assert_match "$output" 'create a/b: "a/b" includes invalid characters for a local volume name'
  run_berth volume create y
  assert_failure
  assert_match "$output" 'volume name is too short'
  run_berth volume create -o foo=bar v3
  assert_failure
  assert_eq "$output" 'Error response from daemon: create v3: invalid option: "foo"'
  run_berth volume create -o type=tmpfs v3
  assert_failure
  assert_eq "$output" 'Error response from daemon: create v3: missing required option: "device"'
  run_berth volume create -d nope v3
  assert_failure
  assert_match "$output" 'plugin "nope" not found'
  run_berth volume ls -q
  assert_eq "$output" ""
}

@test "volume ls: table, sorted, -q, filters, --format" {
  b volume create --label env=prod bb >/dev/null
  b volume create --label env=dev aa >/dev/null
  b volume create cc >/dev/null
  run_berth volume ls
  assert_success
  assert_eq "$output" "$(printf 'DRIVER    VOLUME NAME\nlocal     aa\nlocal     bb\nlocal     cc')"
  run_berth volume ls -q --filter label=env
  assert_eq "$output" "$(printf 'aa\nbb')"
  run_berth volume ls -q --filter label=env=prod
  assert_eq "$output" "bb"
  run_berth volume ls -q --filter name=c
  assert_eq "$output" "cc"
  run_berth volume ls -q --filter driver=local
  assert_eq "$output" "$(printf 'aa\nbb\ncc')"
  run_berth volume ls --format '{{.Name}}:{{.Labels}}'
  assert_eq "$output" "$(printf 'aa:env=dev\nbb:env=prod\ncc:')"
  b run -d --name user -v aa:/data busybox sleep 1000 >/dev/null
  run_berth volume ls -q --filter dangling=true
  assert_eq "$output" "$(printf 'bb\ncc')"
  run_berth volume ls -q --filter dangling=false
  assert_eq "$output" "aa"
  run_berth volume ls --filter foo=bar
  assert_failure
  assert_match "$output" "Invalid filter 'foo'"
  run_berth volume ls --filter dangling=maybe
  assert_failure
  assert_match "$output" "Invalid filter 'dangling=\[maybe\]'"
}

@test "volume rm: removes, refuses one in use (409), force ignores a missing one" {
  b volume create gone >/dev/null
  echo x >"$DATA/volumes/gone/_data/f"
  run_berth volume rm gone
  assert_success
  assert_eq "$output" "gone"
  [[ ! -e "$DATA/volumes/gone" ]] || fail "volume directory left"
  run_berth volume rm gone
  assert_failure
  assert_eq "$output" "Error: No such volume: gone"
  run_berth volume rm -f gone
  assert_success
  b create --name c1 -v busy:/data busybox true >/dev/null
  local id
  id="$(b inspect -f '{{.Id}}' c1)"
  run_berth volume rm busy
  assert_failure
  assert_eq "$output" "Error response from daemon: remove busy: volume is in use - [$id]"
  run api DELETE /volumes/busy
  assert_eq "${lines[-1]}" "409"
  run api DELETE /volumes/nope
  assert_eq "${lines[-1]}" "404"
  assert_match "$output" 'get nope: no such volume'
  run api DELETE '/volumes/nope?force=1'
  assert_eq "${lines[-1]}" "204"
  b rm c1 >/dev/null
  run_berth volume rm busy
  assert_success
}

@test "volume prune removes unused named and anonymous volumes only (API 1.41)" {
  b volume create keep >/dev/null
  b volume create unused >/dev/null
  b volume create --label p=1 labelled >/dev/null
  b volume create -o type=tmpfs -o device=tmpfs withopts >/dev/null
  b create --name c1 -v keep:/data -v /anon busybox true >/dev/null
  local anon
  anon="$(b inspect -f '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' c1)"
  assert_match "$anon" '^[0-9a-f]{64}$'
  run_berth volume prune -f --filter label=p
  assert_success
  assert_eq "$output" "$(printf 'Deleted Volumes:\nlabelled\n\nTotal reclaimed space: 0B')"
  run_berth volume prune -f
  assert_success
  assert_eq "$output" "$(printf 'Deleted Volumes:\nunused\n\nTotal reclaimed space: 0B')"
  run_berth volume ls -q
  assert_eq "$output" "$(printf '%s\nkeep\nwithopts' "$anon")"
  b rm c1 >/dev/null
  run_berth volume prune -f
  assert_success
  assert_match "$output" "keep"
  assert_match "$output" "$anon"
  run_berth volume ls -q
  assert_eq "$output" "withopts"
  # Without -f it asks; "n" keeps everything.
  b volume create asked >/dev/null
  run bash -c "echo n | '$BERTH' -H '$HOST' volume prune"
  assert_match "$output" "Are you sure you want to continue"
  b volume inspect asked >/dev/null
}

@test "system df counts volumes; inspect finds a volume by name" {
  b volume create dfv >/dev/null
  head -c 4096 /dev/zero >"$DATA/volumes/dfv/_data/f"
  b create --name dfc -v dfv:/d busybox true >/dev/null
  run_berth system df -v
  assert_success
  assert_match "$output" "dfv +1 +4.096kB"
  run api GET /system/df
  assert_eq "$(head -1 <<<"$output" | jq -c '.Volumes[0].UsageData')" '{"RefCount":1,"Size":4096}'
  run_berth inspect -f '{{.Name}} {{.Driver}}' dfv
  assert_success
  assert_eq "$output" "dfv local"
  run_berth inspect --type volume -f '{{.Name}}' dfv
  assert_eq "$output" "dfv"
}
