#!/usr/bin/env bats
# The build cache, the CLI's options and what only berth's builder does
# (heredocs, COPY --chmod, .dockerignore on the client side).

load helpers

setup_file() { bt_setup_file; }
teardown_file() { bt_teardown_file; }
teardown() { ct_teardown; }

@test "a rebuild uses the cache for every step and writes no image; --no-cache rebuilds" {
  local c
  c="$(mkctx cache)"
  echo v1 >"$c/a.txt"
  printf 'FROM busybox\nARG X=1\nRUN echo run-step-r""an\nCOPY a.txt /a.txt\nWORKDIR /w\nLABEL l=1\n' >"$c/Dockerfile"
  run_berth build -t cache:1 "$c"
  assert_success
  assert_match "$output" "run-step-ran"
  local id images
  id="$(b image inspect -f '{{.Id}}' cache:1)"
  images="$(b images -aq --no-trunc | sort)"
  run_berth build -t cache:1 "$c"
  assert_success
  assert_no_match "$output" "run-step-ran"
  assert_eq "$(grep -c -- '---> Using cache' <<<"$output")" 5 "cached steps"
  assert_eq "$(b image inspect -f '{{.Id}}' cache:1)" "$id" "same image"
  assert_eq "$(b images -aq --no-trunc | sort)" "$images" "no new image"
  # a changed COPY source: the COPY step and those after it are rebuilt
  echo v2 >"$c/a.txt"
  run_berth build -t cache:2 "$c"
  assert_success
  assert_eq "$(grep -c -- '---> Using cache' <<<"$output")" 2 "ARG and RUN cached"
  assert_eq "$(b run --rm cache:2 cat /a.txt)" v2 "new content"
  # a build arg in effect changes the RUN step
  run_berth build --build-arg X=2 "$c"
  assert_success
  assert_match "$output" "run-step-ran"
  run_berth build --no-cache -t cache:3 "$c"
  assert_success
  assert_no_match "$output" "Using cache"
  assert_ne "$(b image inspect -f '{{.Id}}' cache:3)" "$(b image inspect -f '{{.Id}}' cache:2)" "no-cache: new image"
}

@test "classic output: Step N/M, Running in, Removing intermediate container, Successfully built/tagged" {
  local c
  c="$(mkctx out)"
  printf 'FROM busybox\nRUN echo out\nCMD ["sh"]\n' >"$c/Dockerfile"
  run_berth build --no-cache -t out:1 -t out:2 "$c"
  assert_success
  assert_match "$output" "^Sending build context to Docker daemon  [0-9.]+[kM]?B"
  assert_match "$output" "Step 1/3 : FROM busybox"
  assert_match "$output" "Step 2/3 : RUN echo out"
  assert_match "$output" " ---> Running in [0-9a-f]{12}"
  assert_match "$output" "Removing intermediate container [0-9a-f]{12}"
  assert_match "$output" "Step 3/3 : CMD \\[\"sh\"\\]"
  local short
  short="$(b image inspect -f '{{.Id}}' out:1 | cut -c8-19)"
  assert_match "$output" "Successfully built $short"
  assert_match "$output" "Successfully tagged out:1"
  assert_match "$output" "Successfully tagged out:2"
}

@test "-q prints the ID only; --iidfile writes it; --label adds labels" {
  local c
  c="$(mkctx quiet)"
  printf 'FROM busybox\nRUN echo noisy\n' >"$c/Dockerfile"
  run_berth build -q --iidfile "$CTDIR/iid" --label a=1 --label "b=two words" -t quiet "$c"
  assert_success
  local id
  id="$(b image inspect -f '{{.Id}}' quiet)"
  assert_eq "$output" "$id" "-q output"
  assert_eq "$(cat "$CTDIR/iid")" "$id" "iidfile"
  assert_eq "$(b image inspect -f '{{.Config.Labels.a}}|{{index .Config.Labels "b"}}' quiet)" "1|two words" "labels"
}

@test "-f: a Dockerfile elsewhere in the context, outside it, and on stdin" {
  local c
  c="$(mkctx files)"
  mkdir -p "$c/sub" "$BCTX/outside"
  echo data >"$c/data.txt"
  printf 'FROM busybox\nCOPY data.txt /in-sub\n' >"$c/sub/Build.file"
  printf 'FROM busybox\nCOPY data.txt /outside\n' >"$BCTX/outside/Dockerfile"
  run_berth build -t f:sub -f "$c/sub/Build.file" "$c"
  assert_success
  assert_eq "$(b run --rm f:sub cat /in-sub)" data
  run_berth build -t f:out -f "$BCTX/outside/Dockerfile" "$c"
  assert_success
  assert_eq "$(b run --rm f:out cat /outside)" data
  run timeout 60 "$BERTH" -H "$HOST" build -t f:stdin -f - "$c" <<<$'FROM busybox\nCOPY data.txt /stdin'
  assert_success
  assert_eq "$(b run --rm f:stdin cat /stdin)" data
  # `build -` : a Dockerfile on stdin, no context
  run timeout 60 "$BERTH" -H "$HOST" build -t f:nocontext - <<<$'FROM busybox\nLABEL x=1'
  assert_success
}

@test ".dockerignore: patterns, exceptions, the Dockerfile always sent" {
  local c
  c="$(mkctx ignore)"
  mkdir -p "$c/logs/keep" "$c/src/deep" "$c/node_modules/pkg"
  touch "$c/a.log" "$c/logs/x.log" "$c/logs/keep/important.log" "$c/src/main.c" "$c/src/deep/t.tmp" \
    "$c/node_modules/pkg/index.js" "$c/README.md" "$c/NOTES.md"
  printf '*.log\nlogs\n!logs/keep\n**/*.tmp\n/node_modules\n*.md\n!README.md\nDockerfile\n.dockerignore\n' >"$c/.dockerignore"
  printf 'FROM busybox\nCOPY . /ctx/\nRUN cd /ctx && find . | sort > /list\n' >"$c/Dockerfile"
  run_berth build -t ignore "$c"
  assert_success
  assert_eq "$(b run --rm ignore cat /list | tr '\n' ' ')" \
    ". ./.dockerignore ./Dockerfile ./README.md ./logs ./logs/keep ./logs/keep/important.log ./src ./src/deep ./src/main.c " \
    "files sent"
}

@test "heredocs: RUN <<EOF, a heredoc piped to a command, COPY <<EOF with and without expansion" {
  local c
  c="$(mkctx heredoc)"
  cat >"$c/Dockerfile" <<'DF'
FROM busybox
ARG NAME=world
RUN <<EOF
echo "hello $NAME" > /greeting
mkdir -p /made/by/heredoc
EOF
RUN cat <<-END > /piped
	indented line
	END
COPY <<EOF /expanded.txt
name=$NAME
EOF
COPY <<'EOF' /literal.txt
name=$NAME
EOF
DF
  run_berth build -t heredoc "$c"
  assert_success
  assert_eq "$(b run --rm heredoc cat /greeting /piped /expanded.txt /literal.txt)" \
    $'hello world\nindented line\nname=world\nname=$NAME'
  assert_eq "$(b run --rm heredoc ls -d /made/by/heredoc)" /made/by/heredoc
}

@test "COPY --chmod and --chown; WORKDIR created with the right owner" {
  local c
  c="$(mkctx chmod)"
  echo x >"$c/f"
  mkdir "$c/d" && echo y >"$c/d/g"
  printf 'FROM busybox\nCOPY --chmod=0740 --chown=5:6 f /p/f\nCOPY --chmod=755 d /d/\nWORKDIR /new/dir\n' >"$c/Dockerfile"
  run_berth build -t chmod "$c"
  assert_success
  assert_eq "$(b run --rm chmod stat -c '%a %u:%g' /p/f /p /d/g /new/dir)" \
    $'740 5:6\n755 5:6\n755 0:0\n755 0:0'
}

@test "a stage the target does not need is not built" {
  local c
  c="$(mkctx skip)"
  printf 'FROM busybox AS unused\nRUN echo UNUSED-STAGE-RAN && false\nFROM busybox AS used\nRUN echo used\nFROM used\nLABEL final=1\n' >"$c/Dockerfile"
  run_berth build -t skip "$c"
  assert_success
  assert_no_match "$output" "UNUSED-STAGE-RAN"
  assert_match "$output" "Step 1/4 : FROM busybox AS used"
}

@test "network for RUN: --network host sees the host's interfaces" {
  local c
  c="$(mkctx net)"
  printf 'FROM busybox\nRUN ls /sys/class/net | sort | tr "\\n" " " > /ifaces\n' >"$c/Dockerfile"
  run_berth build --network host --no-cache -t net:host "$c"
  assert_success
  assert_ne "$(b run --rm net:host cat /ifaces)" "lo " "host network"
}
