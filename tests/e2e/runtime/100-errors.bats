#!/usr/bin/env bats
# Bad input: the runtime fails with a one-line message naming the problem and
# leaves nothing behind (state, cgroups, mounts, processes).

load helpers

# expect_create_error WORD: create and run both fail, the message mentions
# WORD, no residue.
expect_create_error() {
  local word="$1" verb
  if jq -e . "$BUNDLE/config.json" >/dev/null 2>&1; then
    set_cgroups_path "$CID"
  fi
  for verb in create run; do
    # output to a file, not a pipe: a wrongly created container would hold
    # a pipe open and hang the test
    status=0
    timeout -k 5 30 "$RUNTIME" --root "$ROOT" "$verb" "$CID" </dev/null >"$TESTDIR/err" 2>&1 || status=$?
    output="$(cat "$TESTDIR/err")"
    echo "# $verb -> $status: $output" >&2
    assert_failure "$verb"
    [[ "$status" -ne 124 ]] || fail "$verb hung"
    assert_error_mentions "$word"
    assert_no_residue "$CID"
  done
}

@test "missing config.json" {
  rm "$BUNDLE/config.json"
  expect_create_error "config.json"
}

@test "malformed config.json" {
  echo '{"ociVersion": "1.0.2", "process": {' >"$BUNDLE/config.json"
  expect_create_error "config.json\|json\|parse\|unexpected"
}

@test "unknown namespace type" {
  cfg '.linux.namespaces += [{"type":"bogusns"}]'
  expect_create_error "bogusns\|namespace"
}

@test "missing rootfs" {
  rm -rf "$BUNDLE/rootfs"
  expect_create_error "rootfs"
}

@test "empty process.args" {
  BATS_SKIP_REASON="crun 1.8 says only 'open executable: Invalid argument'" skip_if_kind crun
  cfg '.process.args = []'
  expect_create_error "args"
}

@test "nonexistent binary" {
  set_args /no/such/binary
  expect_create_error "/no/such/binary\|no such file\|not found"
}

@test "binary not on PATH" {
  set_args no-such-command
  expect_create_error "no-such-command\|not found"
}

@test "a bind mount with a missing source" {
  cfg '.mounts += [{"destination":"/data","type":"bind","source":"/no/such/source","options":["rbind"]}]'
  expect_create_error "/no/such/source\|/data"
}

@test "an unknown capability name is ignored with a warning naming it (as runc does)" {
  BATS_SKIP_REASON="crun 1.8 ignores it silently" skip_if_kind crun
  cfg '.process.capabilities.bounding += ["CAP_NO_SUCH_CAP"]'
  set_args true
  rt run "$CID" </dev/null >"$TESTDIR/err" 2>&1 || fail "run failed: $(cat "$TESTDIR/err")"
  grep -q CAP_NO_SUCH_CAP "$TESTDIR/err" || fail "no warning naming CAP_NO_SUCH_CAP: $(cat "$TESTDIR/err")"
}

@test "an unknown seccomp action" {
  cfg '.linux.seccomp = {"defaultAction":"SCMP_ACT_NOPE","syscalls":[]}'
  expect_create_error "SCMP_ACT_NOPE\|seccomp"
}

@test "an invalid container id" {
  run "$RUNTIME" --root "$ROOT" create "../escape" </dev/null
  assert_failure "create ../escape"
  [[ ! -e "$TESTDIR/escape" ]] || fail "state escaped --root"
  run "$RUNTIME" --root "$ROOT" create "" </dev/null
  assert_failure "create with an empty id"
}

@test "unknown command and unknown flag fail with usage errors" {
  run "$RUNTIME" no-such-command
  assert_failure "unknown command"
  run "$RUNTIME" --root "$ROOT" state --no-such-flag "$CID"
  assert_failure "unknown flag"
}

@test "the error message is one line (create with missing rootfs)" {
  rm -rf "$BUNDLE/rootfs"
  run "$RUNTIME" --root "$ROOT" create "$CID" </dev/null
  assert_failure
  [[ "$(grep -c . <<<"$output")" -le 2 ]] || fail "error output is $(grep -c . <<<"$output") lines: $output"
}

@test "many failed creates leave no fds, mounts or processes behind" {
  set_args /no/such/binary
  set_cgroups_path "$CID"
  local i
  for i in 1 2 3 4 5; do
    run "$RUNTIME" --root "$ROOT" run "$CID" </dev/null
    assert_failure
  done
  assert_no_residue "$CID"
}
