#!/usr/bin/env bats
# Local build contexts: berth's CLI on the unix socket sends context files
# by reference (their host path, no data; build/context.h) and berthd links
# them in and takes their digests from its cache. The image must be the one
# a context sent as data makes, changed files must be seen, and references
# are refused where the daemon cannot trust them (TCP).

load helpers

setup_file() { bt_setup_file; }
teardown_file() { bt_teardown_file; }
teardown() { ct_teardown; }

# post_tar CTXDIR QUERY: POST /build with CTXDIR as a plain tar (data, no
# references) on the unix socket; prints the response body.
post_tar() {
  tar -C "$1" -cf - . | curl -s --max-time 120 --unix-socket "$SOCK" \
    -H 'Content-Type: application/x-tar' --data-binary @- "http://d/v1.41/build?$2"
}

# ref_tar OUT NAME SOURCE: a tar with one regular file NAME sent by reference
# to SOURCE (the SCHILY.xattr.berth.source PAX record, no data).
ref_tar() {
  python3 - "$@" <<'EOF'
import io, sys, tarfile
out, name, source = sys.argv[1:4]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    df = b"FROM busybox\nCOPY " + name.encode() + b" /got\n"
    i = tarfile.TarInfo("Dockerfile"); i.size = len(df)
    t.addfile(i, io.BytesIO(df))
    i = tarfile.TarInfo(name); i.size = 0; i.mode = 0o644
    i.pax_headers = {"SCHILY.xattr.berth.source": source}
    t.addfile(i, io.BytesIO(b""))
EOF
}

last_layer() {
  b image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$1" | sed '/^$/d' | tail -1
}

@test "the CLI sends files by reference; the COPY layer equals the one a data context makes" {
  local c
  c="$(mkctx same)"
  mkdir -p "$c/sub"
  head -c 3000000 /dev/urandom >"$c/big.bin"
  printf '#!/bin/sh\necho hi\n' >"$c/sub/run.sh"
  chmod 0755 "$c/sub/run.sh"
  ln -s big.bin "$c/link"
  echo secret >"$c/secret.txt"
  printf 'secret.txt\n' >"$c/.dockerignore"
  printf 'FROM busybox\nCOPY big.bin sub link /app/\n' >"$c/Dockerfile"
  local before
  before="$(stat -c %z "$c/big.bin")"
  run_berth build --no-cache -t ref:1 "$c"
  assert_success
  # the whole context counts in the "Sending" line, though only names went
  assert_match "$output" "Sending build context to Docker daemon  3\\.[0-9]+MB"
  # linking the file into the daemon's scratch dir changed its ctime: it
  # went by reference (a data context would not touch the file)
  assert_ne "$(stat -c %z "$c/big.bin")" "$before" "ctime of big.bin (linked by berthd)"
  run post_tar "$c" "t=data:1&nocache=1"
  assert_success
  assert_match "$output" "Successfully built"
  assert_eq "$(last_layer ref:1)" "$(last_layer data:1)" "COPY layer by reference vs by data"
  assert_eq "$(b run --rm ref:1 sh -c 'cmp /app/big.bin /app/link && /app/run.sh')" "hi"
  # .dockerignore still applies to referenced files
  run_berth build -t ref:2 -f - "$c" <<<$'FROM busybox\nCOPY secret.txt /s\n'
  assert_failure
  assert_match "$output" "secret.txt"
}

@test "a rebuild reuses the cache; a changed file (new size, or same size and new mtime) is seen" {
  local c
  c="$(mkctx change)"
  echo v1 >"$c/a.txt"
  printf 'FROM busybox\nCOPY a.txt /a.txt\n' >"$c/Dockerfile"
  run_berth build -t chg:1 "$c"
  assert_success
  run_berth build -t chg:1 "$c"
  assert_success
  assert_eq "$(grep -c -- '---> Using cache' <<<"$output")" 1 "COPY cached"
  echo v22 >"$c/a.txt"  # new size
  run_berth build -t chg:2 "$c"
  assert_success
  assert_no_match "$output" "Using cache"
  assert_eq "$(b run --rm chg:2 cat /a.txt)" v22
  echo v33 >"$c/a.txt"  # same size, new mtime
  touch -d '2030-01-01 00:00:00' "$c/a.txt"
  run_berth build -t chg:3 "$c"
  assert_success
  assert_no_match "$output" "Using cache"
  assert_eq "$(b run --rm chg:3 cat /a.txt)" v33
}

@test "references: bad ones are refused on the unix socket, all are refused over TCP" {
  local t="$CTDIR/ref.tar" out c
  echo from-host >"$CTDIR/host.txt"
  ref_tar "$t" f.txt "$CTDIR/host.txt"
  out="$(curl -s --max-time 60 --unix-socket "$SOCK" -H 'Content-Type: application/x-tar' \
    --data-binary @"$t" "http://d/v1.41/build?t=hostref:1")"
  assert_match "$out" "Successfully built"
  assert_eq "$(b run --rm hostref:1 cat /got)" from-host
  ref_tar "$t" f.txt relative/path
  out="$(curl -s --max-time 60 --unix-socket "$SOCK" -H 'Content-Type: application/x-tar' \
    --data-binary @"$t" "http://d/v1.41/build")"
  assert_match "$out" "is not absolute"
  ref_tar "$t" f.txt /etc
  out="$(curl -s --max-time 60 --unix-socket "$SOCK" -H 'Content-Type: application/x-tar' \
    --data-binary @"$t" "http://d/v1.41/build")"
  assert_match "$out" "/etc is not a regular file"
  # the same daemon on a TCP port too: references are refused there
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  stop_berthd
  start_berthd -H "tcp://127.0.0.1:$port" --insecure-tcp
  ref_tar "$t" f.txt "$CTDIR/host.txt"
  out="$(curl -s --max-time 60 -H 'Content-Type: application/x-tar' \
    --data-binary @"$t" "http://127.0.0.1:$port/v1.41/build")"
  assert_match "$out" "accepted only on the local unix socket"
  # and a TCP client of berth sends data, not references
  c="$(mkctx tcp)"
  echo over-tcp >"$c/a.txt"
  printf 'FROM busybox\nCOPY a.txt /a.txt\n' >"$c/Dockerfile"
  run "$BERTH" -H "tcp://127.0.0.1:$port" build -t tcp:1 "$c"
  assert_success
  assert_eq "$(b run --rm tcp:1 cat /a.txt)" over-tcp
}

@test "a COPY layer is stored as files: save makes its tar again with its diff ID, even after the context file changed in place" {
  local c out diff
  c="$(mkctx saved)"
  head -c 2000000 /dev/urandom >"$c/data.bin"
  printf 'FROM busybox\nCOPY data.bin /srv/data.bin\n' >"$c/Dockerfile"
  run_berth build --no-cache -t dirlayer:1 "$c"
  assert_success
  diff="$(last_layer dirlayer:1)"
  # The layer is a copy, not a link to the user's file: rewriting the file
  # in place (same inode) must not change what the image holds.
  head -c 2000000 /dev/urandom | dd of="$c/data.bin" conv=notrunc status=none
  out="$CTDIR/dirlayer.tar"
  run_berth save -o "$out" dirlayer:1
  assert_success
  mkdir -p "$CTDIR/dirlayer"
  tar -C "$CTDIR/dirlayer" -xf "$out"
  local found=""
  for l in "$CTDIR"/dirlayer/*/layer.tar; do
    [ "sha256:$(sha256sum "$l" | cut -d' ' -f1)" = "$diff" ] && found="$l"
  done
  [ -n "$found" ] || { echo "no layer.tar in the save has the diff ID $diff"; return 1; }
  run_berth rmi dirlayer:1
  assert_success
  run_berth load -i "$out"
  assert_success
  assert_eq "$(last_layer dirlayer:1)" "$diff" "diff ID after save and load"
}
