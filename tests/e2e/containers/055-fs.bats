#!/usr/bin/env bats
# A container's filesystem: commit, export, cp (both directions, tar
# streams, stopped containers, errors), diff.

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { ct_teardown; }

# ctr_cat NAME PATH: a file of a container, running or not (through cp -)
ctr_cat() {
  b cp "$1:$2" - | tar -xOf -
}

@test "commit -m -a -c: a new image with the change, its history, it runs" {
  b run --name cm busybox sh -c 'echo committed > /f' >/dev/null
  run_berth commit -m "add f" -a "Tester <t@example.com>" -c 'CMD ["cat", "/f"]' -c 'ENV X=1' -c 'WORKDIR /w' cm cm-img:v1
  assert_success
  assert_match "$output" '^sha256:[0-9a-f]{64}$'
  img="$output"
  assert_eq "$(b image inspect -f '{{.Id}}' cm-img:v1)" "$img"
  run_berth image inspect -f '{{.Comment}}|{{.Author}}|{{json .Config.Cmd}}|{{.Config.WorkingDir}}' cm-img:v1
  assert_eq "$output" 'add f|Tester <t@example.com>|["cat","/f"]|/w'
  run_berth image inspect -f '{{json .Config.Env}}' cm-img:v1
  assert_match "$output" '"X=1"'
  # one more layer than busybox
  base="$(b image inspect -f '{{len .RootFS.Layers}}' busybox)"
  assert_eq "$(b image inspect -f '{{len .RootFS.Layers}}' cm-img:v1)" "$((base + 1))"
  run_berth history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' cm-img:v1
  assert_success
  assert_eq "${lines[0]}" "sh -c echo committed > /f|add f"
  assert_eq "${#lines[@]}" "$(( $(b history -q busybox | wc -l) + 1 ))"
  run_berth run --rm cm-img:v1
  assert_success
  assert_eq "$output" committed
  run_berth run --rm cm-img:v1 sh -c 'echo $X $(pwd)'
  assert_eq "$output" "1 /w"
}

@test "commit of a running container pauses it (-p) unless --pause=false; no repository: dangling" {
  b run -d --name cr busybox sh -c 'echo live > /live; sleep 1000' >/dev/null
  wait_for 10 b exec cr test -f /live
  t0="$(date +%s)"
  run_berth commit cr cr-img
  assert_success
  assert_eq "$(state cr)" running
  run_berth commit --pause=false cr
  assert_success
  dangling="$output"
  assert_match "$dangling" '^sha256:[0-9a-f]{64}$'
  t1="$(( $(date +%s) + 1 ))"
  run_berth events --since "$t0" --until "$t1" --filter container=cr --filter event=pause --filter event=unpause --filter event=commit --format '{{.Action}}'
  assert_eq "$(echo $output)" "pause unpause commit commit"
  run_berth run --rm cr-img cat /live
  assert_eq "$output" live
  run_berth run --rm "$dangling" cat /live
  assert_eq "$output" live
  run_berth images -q --filter dangling=true --no-trunc
  assert_match "$output" "${dangling}"
}

@test "commit errors: no such container, bad change, bad reference" {
  b create --name ce busybox true >/dev/null
  run_berth commit nosuch x
  assert_failure
  assert_match "$output" "No such container: nosuch"
  run_berth commit -c 'FROM busybox' ce x
  assert_failure
  assert_match "$output" "FROM.*(not a valid change command|not supported)"
  run_berth commit ce 'Bad:Ref:x'
  assert_failure
  assert_match "$output" "invalid reference format"
}

@test "export: the whole filesystem as a tar, -o, refuses a terminal" {
  b run --name exp busybox sh -c 'mkdir /exported; echo data > /exported/file; rm /bin/vi' >/dev/null
  b export exp > "$BATS_TEST_TMPDIR/list.tar"
  tar -tf "$BATS_TEST_TMPDIR/list.tar" | sed 's|^\./||' > "$BATS_TEST_TMPDIR/list"
  for f in exported/file bin/busybox etc/passwd; do
    grep -qx "$f" "$BATS_TEST_TMPDIR/list" || fail "$f not in the export"
  done
  ! grep -qx bin/vi "$BATS_TEST_TMPDIR/list" || fail "the removed bin/vi is in the export"
  run_berth export -o "$BATS_TEST_TMPDIR/exp.tar" exp
  assert_success
  assert_eq "$output" ""
  run_cmd tar -xOf "$BATS_TEST_TMPDIR/exp.tar" exported/file
  assert_eq "$output" data
  require_tool script "util-linux"
  run_cmd script -qec "'$BERTH' -H '$HOST' export exp" /dev/null
  assert_failure
  assert_match "$output" "cowardly refusing to save to a terminal"
  run_berth export nosuch
  assert_failure
  assert_match "$output" "No such container: nosuch"
}

@test "cp host -> container: file, to a new name, directory, dir/., running and stopped" {
  src="$BATS_TEST_TMPDIR/src"
  mkdir -p "$src/dir/sub"
  echo one > "$src/file"
  echo two > "$src/dir/a"
  echo three > "$src/dir/sub/b"
  chmod 0751 "$src/dir/sub"
  b run -d --name cpr busybox sleep 1000 >/dev/null
  wait_state cpr running
  run_berth cp "$src/file" cpr:/tmp/
  assert_success
  run_berth cp "$src/file" cpr:/tmp/renamed
  assert_success
  run_berth cp "$src/dir" cpr:/tmp/
  assert_success
  b exec cpr mkdir /tmp/exists
  run_berth cp "$src/dir" cpr:/tmp/exists
  run_berth cp "$src/dir/." cpr:/tmp/contents
  assert_success
  run_berth exec cpr sh -c 'cat /tmp/file /tmp/renamed /tmp/dir/a /tmp/dir/sub/b /tmp/exists/dir/a /tmp/contents/a /tmp/contents/sub/b; stat -c %a /tmp/dir/sub'
  assert_success
  assert_eq "$(echo $output)" "one one two three two two three 751"
  run_berth exec cpr ls /tmp/contents
  assert_eq "$(echo $output)" "a sub"
  # a stopped container, and a created one
  b stop -t 0 cpr >/dev/null
  run_berth cp "$src/file" cpr:/stopped-file
  assert_success
  b create --name cpc busybox true >/dev/null
  run_berth cp "$src/dir" cpc:/
  assert_success
  assert_eq "$(ctr_cat cpr /stopped-file)" one
  assert_eq "$(ctr_cat cpc /dir/sub/b)" three
  b start cpr >/dev/null
  run_berth exec cpr cat /stopped-file
  assert_eq "$output" one
}

@test "cp container -> host: file, directory, dir/., stopped container" {
  b run --name cpo busybox sh -c 'mkdir -p /out/sub; echo x > /out/x; echo y > /out/sub/y; echo f > /f' >/dev/null
  dst="$BATS_TEST_TMPDIR/dst"
  mkdir -p "$dst/exists"
  run_berth cp cpo:/f "$dst/"
  assert_success
  assert_eq "$(cat "$dst/f")" f
  run_berth cp cpo:/f "$dst/newname"
  assert_eq "$(cat "$dst/newname")" f
  run_berth cp cpo:/out "$dst/exists"
  assert_success
  assert_eq "$(cat "$dst/exists/out/sub/y")" y
  run_berth cp cpo:/out "$dst/fresh"
  assert_eq "$(cat "$dst/fresh/x")" x
  run_berth cp cpo:/out/. "$dst/exists"
  assert_success
  assert_eq "$(cat "$dst/exists/x")" x
  assert_eq "$(cat "$dst/exists/sub/y")" y
  # a file through a symlink in the container (-L follows the link itself)
  b run --name cpl busybox sh -c 'echo target > /t; ln -s /t /link' >/dev/null
  run_berth cp cpl:/link "$dst/linkcopy"
  assert_success
  [[ -L "$dst/linkcopy" ]] || fail "cp without -L should copy the link itself"
  run_berth cp -L cpl:/link "$dst/linkfollowed"
  assert_success
  [[ ! -L "$dst/linkfollowed" ]] || fail "cp -L should copy the target"
  assert_eq "$(cat "$dst/linkfollowed")" target
}

@test "cp with - : tar streams both ways" {
  b run -d --name cpt busybox sleep 1000 >/dev/null
  mkdir -p "$BATS_TEST_TMPDIR/t/in"
  echo streamed > "$BATS_TEST_TMPDIR/t/in/s"
  run_cmd bash -c "tar -C '$BATS_TEST_TMPDIR/t' -cf - in | '$BERTH' -H '$HOST' cp - cpt:/tmp"
  assert_success
  run_berth exec cpt cat /tmp/in/s
  assert_eq "$output" streamed
  run_cmd bash -c "'$BERTH' -H '$HOST' cp cpt:/tmp/in - | tar -tf -"
  assert_success
  assert_eq "$(echo $output)" "in/ in/s"
  # the destination of a stream must be a directory
  run_cmd bash -c "tar -C '$BATS_TEST_TMPDIR/t' -cf - in | '$BERTH' -H '$HOST' cp - cpt:/tmp/in/s"
  assert_failure
  assert_match "$output" 'destination "cpt:/tmp/in/s" must be a directory'
}

@test "cp errors" {
  b run -d --name cpe busybox sleep 1000 >/dev/null
  echo f > "$BATS_TEST_TMPDIR/f"
  run_berth cp cpe:/nonexistent "$BATS_TEST_TMPDIR/"
  assert_status 1
  assert_match "$output" "No such container:path: cpe:/nonexistent"
  # as docker 20.10: the daemon's 404 for the archive names container:path
  run_berth cp nosuch:/etc/hostname "$BATS_TEST_TMPDIR/"
  assert_status 1
  assert_match "$output" "No such container:path: nosuch:/etc/hostname"
  run_berth cp "$BATS_TEST_TMPDIR/f" nosuch:/tmp
  assert_status 1
  assert_match "$output" "No such container"
  run_berth cp "$BATS_TEST_TMPDIR/f" "$BATS_TEST_TMPDIR/g"
  assert_failure
  assert_match "$output" "must specify at least one container source"
  run_berth cp cpe:/etc cpe:/tmp
  assert_failure
  assert_match "$output" "copying between containers is not supported"
  run_berth cp "$BATS_TEST_TMPDIR/nofile" cpe:/tmp
  assert_failure
  assert_match "$output" "no such file or directory"
  run_berth cp "$BATS_TEST_TMPDIR/f" cpe:/nodir/
  assert_failure
  assert_match "$output" "no such directory|Could not find the file /nodir"
  # a directory onto an existing file
  run_berth cp cpe:/etc "$BATS_TEST_TMPDIR/f"
  assert_failure
  assert_match "$output" "cannot copy directory"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/f")" f
}

@test "diff: A, C and D, sorted; nothing for an untouched container" {
  b run --name dfn busybox true >/dev/null
  run_berth diff dfn
  assert_success
  assert_eq "$output" ""
  b run --name df busybox sh -c 'mkdir /newdir; echo x > /newdir/f; echo y >> /etc/passwd; rm /bin/vi' >/dev/null
  run_berth diff df
  assert_success
  assert_eq "$output" "$(printf 'C /bin\nD /bin/vi\nC /etc\nC /etc/passwd\nA /newdir\nA /newdir/f')"
  run_berth diff nosuch
  assert_failure
  assert_match "$output" "No such container: nosuch"
}

@test "diff of a running container" {
  b run -d --name dfr busybox sh -c 'touch /tmp/running-file; sleep 1000' >/dev/null
  wait_for 10 b exec dfr test -f /tmp/running-file
  run_berth diff dfr
  assert_success
  assert_eq "$output" "$(printf 'C /tmp\nA /tmp/running-file')"
}

@test "cp reads the /etc files berthd bind-mounts (hostname, hosts) as the container sees them" {
  b run -d --name cph --hostname cphost busybox sleep 1000 >/dev/null
  run_cmd bash -c "'$BERTH' -H '$HOST' cp cph:/etc/hostname - | tar -xOf - hostname"
  assert_eq "$output" cphost
  b stop -t 0 cph >/dev/null
  run_cmd bash -c "'$BERTH' -H '$HOST' cp cph:/etc/hosts - | tar -xOf - hosts"
  assert_match "$output" "127.0.0.1[[:space:]]+localhost"
}
