#!/usr/bin/env bats
# Containers with volumes: named volumes that outlive containers, copy-up of
# image content, anonymous volumes (-v /p, VOLUME), binds, --mount,
# --volumes-from, rm -v and run --rm, cp/export/commit around volumes.

load helpers

setup_file() {
  ct_setup_file
  # An image with content under /data (modes, owners, a symlink) and
  # VOLUME /data.
  "$BERTH" -H "$HOST" run --name mk busybox sh -c \
    'mkdir -p /data/sub && echo img >/data/sub/f && chmod 0640 /data/sub/f &&
     chown 1000:2000 /data/sub/f && ln -s sub/f /data/link' >/dev/null
  "$BERTH" -H "$HOST" commit mk vimg:plain >/dev/null
  "$BERTH" -H "$HOST" commit --change 'VOLUME /data' mk vimg:vol >/dev/null
  "$BERTH" -H "$HOST" rm mk >/dev/null
}
teardown_file() { ct_teardown_file; }
teardown() { vol_teardown; }

@test "a named volume keeps its data across rm and a new run" {
  run_berth run --name w1 -v keep:/data busybox sh -c 'echo persisted >/data/f'
  assert_success
  b rm w1 >/dev/null
  run_berth run --rm -v keep:/data busybox cat /data/f
  assert_success
  assert_eq "$output" "persisted"
  assert_eq "$(cat "$DATA/volumes/keep/_data/f")" "persisted"
}

@test "copy-up: a new empty volume gets the image's content, with modes, owners and links" {
  run_berth run --rm -v cu:/data vimg:plain sh -c \
    'stat -c "%a %u:%g" /data/sub/f; readlink /data/link; cat /data/link'
  assert_success
  assert_eq "$output" "$(printf '640 1000:2000\nsub/f\nimg')"
  assert_eq "$(stat -c '%a %u:%g' "$DATA/volumes/cu/_data/sub/f")" "640 1000:2000"
  # Not again into a volume that has content.
  echo mine >"$DATA/volumes/cu/_data/sub/f"
  run_berth run --rm -v cu:/data vimg:plain cat /data/sub/f
  assert_eq "$output" "mine"
  # nocopy: nothing copied.
  run_berth run --rm -v nc:/data:nocopy vimg:plain ls -A /data
  assert_success
  assert_eq "$output" ""
}

@test "anonymous volumes: VOLUME in the image and -v /path, shown by inspect" {
  b run -d --name a1 -v /extra vimg:vol sleep 1000 >/dev/null
  run_berth inspect -f '{{json .Mounts}}' a1
  assert_success
  local data extra
  data="$(jq -r '.[] | select(.Destination=="/data") | .Name' <<<"$output")"
  extra="$(jq -r '.[] | select(.Destination=="/extra") | .Name' <<<"$output")"
  assert_match "$data" '^[0-9a-f]{64}$'
  assert_match "$extra" '^[0-9a-f]{64}$'
  assert_eq "$(jq -r '.[] | select(.Destination=="/data") | "\(.Type) \(.Driver) \(.Mode) \(.RW)"' <<<"$output")" \
    "volume local  true"
  run_berth exec a1 cat /data/sub/f
  assert_eq "$output" "img"
  assert_eq "$(cat "$DATA/volumes/$data/_data/sub/f")" "img"
}

@test "rm -v removes anonymous volumes, never named ones; plain rm keeps both" {
  b create --name r1 -v named1:/n -v /anon busybox true >/dev/null
  local anon
  anon="$(b inspect -f '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' r1)"
  b rm r1 >/dev/null
  b volume inspect named1 "$anon" >/dev/null
  b create --name r2 -v named2:/n -v /anon busybox true >/dev/null
  anon="$(b inspect -f '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}' r2)"
  run_berth rm -v r2
  assert_success
  b volume inspect named2 >/dev/null
  run_berth volume inspect "$anon"
  assert_failure
  assert_eq "${lines[-1]}" "Error: No such volume: $anon"
}

@test "run --rm removes the container's anonymous volumes" {
  run_berth run --rm -v /anon -v kept:/k busybox sh -c 'echo x >/anon/f'
  assert_success
  run_berth volume ls -q
  assert_eq "$output" "kept"
}

@test "--volumes-from shares volumes; :ro makes them read-only" {
  b run -d --name src -v shared:/data -v /anon busybox sleep 1000 >/dev/null
  b exec src sh -c 'echo from-src >/data/f; echo a >/anon/f'
  run_berth run --rm --volumes-from src busybox sh -c 'cat /data/f /anon/f; echo more >>/data/f'
  assert_success
  assert_eq "$output" "$(printf 'from-src\na')"
  run_berth exec src cat /data/f
  assert_eq "$output" "$(printf 'from-src\nmore')"
  run_berth run --rm --volumes-from src:ro busybox sh -c 'echo no >/data/g'
  assert_failure
  assert_match "$output" "Read-only file system"
  run_berth run --rm --volumes-from nosuch busybox true
  assert_failure
  assert_match "$output" "No such container: nosuch"
}

@test "binds: host path made when missing; :ro refuses writes with EROFS" {
  local h="$CTDIR/hostdir/sub"
  run_berth run --rm -v "$h:/h" busybox sh -c 'echo hi >/h/f'
  assert_success
  assert_eq "$(cat "$h/f")" "hi"
  run_berth run --rm -v "$h:/h:ro" busybox sh -c 'echo no >/h/g'
  assert_failure
  assert_match "$output" "Read-only file system"
  [[ ! -e "$h/g" ]] || fail "write went through"
  b run -d --name bi -v "$h:/h:ro" busybox sleep 1000 >/dev/null
  run_berth inspect -f '{{json .Mounts}}' bi
  assert_eq "$(jq -cS . <<<"$output")" "[{\"Destination\":\"/h\",\"Mode\":\"ro\",\"Propagation\":\"rprivate\",\"RW\":false,\"Source\":\"$h\",\"Type\":\"bind\"}]"
  run_berth inspect -f '{{json .HostConfig.Binds}}' bi
  assert_eq "$output" "[\"$h:/h:ro\"]"
  run_berth run --rm -v "relative:/x:bad" busybox true
  assert_failure
  assert_match "$output" "invalid mode: bad"
}

@test "--mount type=volume|bind|tmpfs, and inspect's Mounts" {
  mkdir -p "$CTDIR/mb"
  b run -d --name m1 \
    --mount type=volume,src=mv,dst=/v,volume-label=k=v \
    --mount "type=bind,src=$CTDIR/mb,dst=/b,readonly" \
    --mount type=tmpfs,dst=/t,tmpfs-size=1m busybox sleep 1000 >/dev/null
  run_berth inspect -f '{{json .Mounts}}' m1
  assert_success
  assert_eq "$(jq -c '.[] | select(.Destination=="/v") | [.Type,.Name,.Mode,.RW]' <<<"$output")" '["volume","mv","z",true]'
  assert_eq "$(jq -c '.[] | select(.Destination=="/b") | [.Type,.Source,.RW]' <<<"$output")" "[\"bind\",\"$CTDIR/mb\",false]"
  assert_eq "$(jq -c '.[] | select(.Destination=="/t") | [.Type,.Source]' <<<"$output")" '["tmpfs",""]'
  assert_eq "$(b volume inspect -f '{{.Labels.k}}' mv)" "v"
  run_berth exec m1 sh -c 'grep " /t " /proc/mounts; touch /b/x'
  assert_failure
  assert_match "$output" "tmpfs /t tmpfs"
  assert_match "$output" "Read-only file system"
  run_berth run --rm --mount type=bind,src=/does/not/exist,dst=/x busybox true
  assert_failure
  assert_match "$output" "bind source path does not exist: /does/not/exist"
}

@test "cp writes into a volume; export and commit leave volume contents out" {
  b run -d --name cpv -v cpvol:/data busybox sleep 1000 >/dev/null
  echo viacp >"$CTDIR/cpfile"
  run_berth cp "$CTDIR/cpfile" cpv:/data/cpfile
  assert_success
  assert_eq "$(cat "$DATA/volumes/cpvol/_data/cpfile")" "viacp"
  run_berth exec cpv cat /data/cpfile
  assert_eq "$output" "viacp"
  run_berth cp cpv:/data/cpfile "$CTDIR/back"
  assert_success
  assert_eq "$(cat "$CTDIR/back")" "viacp"
  b export cpv | tar -t >"$CTDIR/export.list"
  if grep -q 'data/cpfile' "$CTDIR/export.list"; then fail "export has the volume's file"; fi
  b commit cpv vimg:committed >/dev/null
  run_berth run --rm vimg:committed ls -A /data
  assert_success
  assert_eq "$output" ""
  # Not into a read-only volume.
  b run -d --name cpro -v cpvol:/data:ro busybox sleep 1000 >/dev/null
  run_berth cp "$CTDIR/cpfile" cpro:/data/other
  assert_failure
  assert_match "$output" "mounted volume is marked read-only"
  [[ ! -e "$DATA/volumes/cpvol/_data/other" ]] || fail "cp wrote into a read-only volume"
  # Stopped containers too.
  b stop -t 0 cpv >/dev/null
  run_berth cp cpv:/data/cpfile "$CTDIR/back2"
  assert_success
  assert_eq "$(cat "$CTDIR/back2")" "viacp"
}

@test "ps --filter volume= by volume name or mount destination" {
  b create --name f1 -v fv:/data busybox true >/dev/null
  b create --name f2 -v /other busybox true >/dev/null
  run_berth ps -a --filter volume=fv --format '{{.Names}}'
  assert_eq "$output" "f1"
  run_berth ps -a --filter volume=/other --format '{{.Names}}'
  assert_eq "$output" "f2"
}
