#!/usr/bin/env bats
# Failing builds: a clear message (the file and line for a syntax error),
# exit status 1 (a failing RUN: its own code, as docker's), no tag moved,
# no container or intermediate layer of the failing step left behind.

load helpers

setup_file() { bt_setup_file; }
teardown_file() { bt_teardown_file; }
teardown() { ct_teardown; }

# build_fails DOCKERFILE-TEXT EXPECTED-TEXT [STATUS]: the build of a context
# holding that Dockerfile (and ok.txt) fails with EXPECTED-TEXT, tag
# err:latest untouched, no container left.
build_fails() {
  local c="$BCTX/err"
  rm -rf "$c"
  mkdir -p "$c"
  echo ok >"$c/ok.txt"
  printf '%s\n' "$1" >"$c/Dockerfile"
  local before
  before="$(b image inspect -f '{{.Id}}' err:latest)"
  run_berth build -t err:latest "$c"
  assert_status "${3:-1}"
  assert_match "$output" "$2"
  assert_eq "$(b image inspect -f '{{.Id}}' err:latest)" "$before" "tag err:latest moved"
  no_containers
}

@test "setup: err:latest exists" {
  local c="$BCTX/base"
  mkdir -p "$c"
  printf 'FROM busybox:latest\nLABEL base=1\n' >"$c/Dockerfile"
  run_berth build -t err:latest "$c"
  assert_success
}

@test "syntax errors name the line" {
  build_fails $'FROM busybox\nRUN true\nFOO bar' "line 3: unknown instruction: FOO"
  build_fails $'FROM busybox\nCOPY onlyone' "line 2: COPY requires at least two arguments"
  build_fails $'FROM busybox\nCMD [1, 2]' "line 2: when using JSON array syntax"
  build_fails $'FROM busybox\nENV A' "ENV must have two arguments"
  build_fails $'# escape=x\nFROM busybox' "invalid ESCAPE"
  build_fails $'RUN true' "no build stage"
  build_fails '' "cannot be empty"
}

@test "an error in a custom Dockerfile names it" {
  local c="$BCTX/named"
  mkdir -p "$c"
  printf 'FROM busybox\nBAD x\n' >"$c/dev.Dockerfile"
  run_berth build -f "$c/dev.Dockerfile" "$c"
  assert_failure
  assert_match "$output" "line 2"
  assert_match "$output" "dev.Dockerfile"
}

@test "COPY of a missing file, outside the context, no wildcard match" {
  build_fails $'FROM busybox\nCOPY nope.txt /' "file not found in build context or excluded by .dockerignore: stat nope.txt"
  build_fails $'FROM busybox\nCOPY ../etc/passwd /' "outside the build context"
  build_fails $'FROM busybox\nCOPY *.nomatch /' "no source files were specified"
  build_fails $'FROM busybox\nCOPY ok.txt ok.txt /notadir' "must be a directory and end with a /"
}

@test "a failing RUN: its output, the command and its exit code; no container left" {
  build_fails $'FROM busybox\nRUN echo before-failing && false' "The command '/bin/sh -c echo before-failing && false' returned a non-zero code: 1"
  assert_match "$output" "before-failing"
  build_fails $'FROM busybox\nRUN exit 3' "returned a non-zero code: 3" 3
}

@test "--rm=false keeps the containers of successful steps; --force-rm removes a failed one" {
  local c="$BCTX/rmflags"
  mkdir -p "$c"
  printf 'FROM busybox\nRUN echo kept\n' >"$c/Dockerfile"
  run_berth build --rm=false --no-cache "$c"
  assert_success
  assert_eq "$(b ps -aq | wc -l)" 1 "one container kept"
  b rm -f "$(b ps -aq)" >/dev/null
  printf 'FROM busybox\nRUN false\n' >"$c/Dockerfile"
  run_berth build --force-rm "$c"
  assert_failure
  no_containers
}

@test "unknown base image, unknown stage for --from and --target" {
  build_fails $'FROM nosuchimage:1\nRUN true' "No such image: nosuchimage:1"
  build_fails $'FROM busybox\nCOPY --from=nostage /x /x' "nostage"
  local c="$BCTX/target"
  mkdir -p "$c"
  printf 'FROM busybox AS a\nRUN true\n' >"$c/Dockerfile"
  run_berth build --target nope "$c"
  assert_failure
  assert_match "$output" "failed to reach build target nope in Dockerfile"
}

@test "refused clearly: ADD of a URL (offline), RUN --mount, unknown flags, bad values" {
  build_fails $'FROM busybox\nADD http://example.invalid/x /x' "downloading sources is not supported"
  build_fails $'FROM busybox\nRUN --mount=type=cache,target=/c true' "RUN --mount is not supported"
  build_fails $'FROM busybox\nCOPY --bogus=1 ok.txt /' "Unknown flag: bogus"
  build_fails $'FROM busybox\nSTOPSIGNAL NOTASIGNAL' "Invalid signal: NOTASIGNAL"
  build_fails $'FROM busybox\nEXPOSE 99999' "invalid containerPort: 99999"
  build_fails $'FROM busybox\nCOPY --chown=nosuchuser ok.txt /' "no such user: nosuchuser"
  build_fails $'FROM busybox\nHEALTHCHECK --interval=bad CMD true' "invalid duration"
}

@test "bad tags and bad build arguments are refused before building" {
  local c="$BCTX/tags"
  mkdir -p "$c"
  printf 'FROM busybox\n' >"$c/Dockerfile"
  run_berth build -t 'Bad:Tag:x' "$c"
  assert_failure
  assert_match "$output" "invalid reference format"
  run_berth build "$BCTX/does-not-exist"
  assert_failure
  assert_match "$output" "unable to prepare context"
  run_berth build -f "$BCTX/nope.Dockerfile" "$c"
  assert_failure
  assert_match "$output" "nope.Dockerfile"
}

@test "no stray images: a failing step leaves only the steps before it (as cache)" {
  local c="$BCTX/stray"
  mkdir -p "$c"
  printf 'FROM busybox\nLABEL stray=1\nRUN touch /x && false\n' >"$c/Dockerfile"
  local before after
  before="$(b images -aq | sort | wc -l)"
  run_berth build "$c"
  assert_failure
  after="$(b images -aq | sort | wc -l)"
  assert_eq "$after" "$((before + 1))" "only the LABEL step's image is new"
  no_containers
}
