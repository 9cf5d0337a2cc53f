#!/usr/bin/env bats
# Hooks: order, namespaces, state on stdin, env/args, failures.

load helpers

# setup_hooks: every hook appends its name to $TESTDIR/hooks/log and saves
# the state JSON from its stdin. Host-side hooks use a host script;
# startContainer runs in the container, through the container's /bin/sh and a
# bind mount of the same directory at /hooks.
setup_hooks() {
  mkdir -p "$TESTDIR/hooks"
  chmod 0777 "$TESTDIR/hooks"
  cat >"$TESTDIR/hook.sh" <<'SH'
#!/bin/sh
# hook.sh NAME DIR: append NAME to DIR/log, save stdin as DIR/NAME.json
cat >"$2/$1.json"
echo "$1 mntns=$(readlink /proc/self/ns/mnt)" >>"$2/log"
SH
  chmod 0755 "$TESTDIR/hook.sh"
  local h="$TESTDIR/hook.sh" d="$TESTDIR/hooks"
  cfg '.mounts += [{"destination":"/hooks","type":"bind","source":$d,"options":["rbind","rw"]}]
     | .hooks = {
        prestart:        [{path:$h, args:["hook.sh","prestart",$d]}],
        createRuntime:   [{path:$h, args:["hook.sh","createRuntime",$d]}],
        createContainer: [{path:$h, args:["hook.sh","createContainer",$d]}],
        startContainer:  [{path:"/bin/sh", args:["sh","-c","cat > /hooks/startContainer.json; echo \"startContainer mntns=$(readlink /proc/self/ns/mnt)\" >> /hooks/log"]}],
        poststart:       [{path:$h, args:["hook.sh","poststart",$d]}],
        poststop:        [{path:$h, args:["hook.sh","poststop",$d]}]
      }' --arg h "$h" --arg d "$d"
}

hook_names() {
  awk '{print $1}' "$TESTDIR/hooks/log" | tr '\n' ' '
}

@test "hooks run in order: prestart createRuntime createContainer startContainer poststart poststop" {
  BATS_SKIP_REASON="runc 1.1 runs poststart hooks at create, before startContainer (fixed in runc 1.2)" skip_if_kind runc
  setup_hooks
  set_args true
  run_rt run "$CID"
  assert_status 0
  assert_eq "$(hook_names)" "prestart createRuntime createContainer startContainer poststart poststop " "hook order"
}

@test "hooks: createContainer and startContainer run in the container's mount namespace, the others in the runtime's" {
  setup_hooks
  set_args true
  run_rt run "$CID"
  assert_status 0
  local host_mnt
  host_mnt="$(readlink /proc/self/ns/mnt)"
  local log
  log="$(cat "$TESTDIR/hooks/log")"
  local n
  for n in prestart createRuntime poststart poststop; do
    assert_match "$log" "$n mntns=${host_mnt//[/\\[}" "$n in the host mount namespace"
  done
  for n in createContainer startContainer; do
    assert_no_match "$log" "$n mntns=${host_mnt//[/\\[}" "$n in the container mount namespace"
  done
}

@test "hooks receive the container state on stdin" {
  BATS_SKIP_REASON="runc 1.1 runs poststart hooks at create, before startContainer (fixed in runc 1.2)" skip_if_kind runc
  setup_hooks
  set_args true
  run_rt run "$CID"
  assert_status 0
  local n f
  for n in prestart createRuntime createContainer startContainer poststart poststop; do
    f="$TESTDIR/hooks/$n.json"
    jq -e . "$f" >/dev/null || fail "$n: stdin is not JSON: $(cat "$f")"
    assert_eq "$(jq -r .id "$f")" "$CID" "$n: state id"
    # crun 1.8 reports bundle "/" to startContainer
    [[ "$RUNTIME_KIND/$n" == crun/startContainer ]] ||
      assert_eq "$(jq -r .bundle "$f")" "$BUNDLE" "$n: state bundle"
    assert_match "$(jq -r .ociVersion "$f")" '^1\.' "$n: ociVersion"
  done
  local with_pid="prestart createRuntime createContainer startContainer poststart"
  # crun 1.8 passes pid 0 to the in-container hooks
  [[ "$RUNTIME_KIND" != crun ]] || with_pid="prestart createRuntime poststart"
  for n in $with_pid; do
    assert_match "$(jq -r .pid "$TESTDIR/hooks/$n.json")" '^[1-9][0-9]*$' "$n: state pid"
  done
  assert_eq "$(jq -r .status "$TESTDIR/hooks/poststart.json")" running "poststart: status"
  assert_eq "$(jq -r .status "$TESTDIR/hooks/poststop.json")" stopped "poststop: status"
}

@test "hooks with create/start/delete: create-time hooks at create, poststop at delete" {
  BATS_SKIP_REASON="runc 1.1 runs poststart hooks at create, before startContainer (fixed in runc 1.2)" skip_if_kind runc
  setup_hooks
  set_args sleep 1000
  create_ctr
  assert_eq "$(hook_names)" "prestart createRuntime createContainer " "hooks after create"
  rt start "$CID"
  wait_for 10 grep -q poststart "$TESTDIR/hooks/log"
  assert_eq "$(hook_names)" "prestart createRuntime createContainer startContainer poststart " "hooks after start"
  rt kill "$CID" KILL
  wait_for 10 status_is "$CID" stopped
  rt delete "$CID"
  assert_eq "$(hook_names)" "prestart createRuntime createContainer startContainer poststart poststop " "hooks after delete"
}

@test "hooks get their args and env" {
  cat >"$TESTDIR/envhook.sh" <<'SH'
#!/bin/sh
echo "args=$* env=$BERTH_HOOK_ENV" >"$1"
SH
  chmod 0755 "$TESTDIR/envhook.sh"
  cfg '.hooks = {createRuntime: [{path:$h, args:["envhook", $o, "second"], env:["BERTH_HOOK_ENV=yes"]}]}' \
    --arg h "$TESTDIR/envhook.sh" --arg o "$TESTDIR/envhook.out"
  set_args true
  run_rt run "$CID"
  assert_status 0
  assert_eq "$(cat "$TESTDIR/envhook.out")" "args=$TESTDIR/envhook.out second env=yes" "hook args (argv[0] is args[0]) and env"
}

@test "a failing createRuntime hook fails create and leaves no residue" {
  set_cgroups_path "$CID"
  cfg '.hooks = {createRuntime: [{path:"/bin/sh", args:["sh","-c","echo hook-failed >&2; exit 1"]}]}'
  set_args true
  run rt create "$CID" </dev/null
  assert_failure "create with a failing hook"
  wait_for 10 test -z "$(bundle_processes)"
  assert_no_residue "$CID"
}

@test "a failing poststart hook is only a warning: the container keeps running (runtime-spec)" {
  BATS_SKIP_REASON="runc 1.1 fails and kills the container" skip_if_kind runc
  set_cgroups_path "$CID"
  cfg '.hooks = {poststart: [{path:"/bin/false", args:["false"]}, {path:"/bin/sh", args:["sh","-c","echo second > \($o)"]}]}' --arg o "$TESTDIR/second-hook"
  set_args sleep 1000
  run_detached
  status_is "$CID" running || fail "container not running after a failing poststart hook"
  wait_for 10 test -s "$TESTDIR/second-hook"
}

@test "a hook that times out fails create" {
  cfg '.hooks = {createRuntime: [{path:"/bin/sleep", args:["sleep","60"], timeout:1}]}'
  set_args true
  local start=$SECONDS
  run timeout -k 5 30 "$RUNTIME" --root "$ROOT" create "$CID" </dev/null
  assert_failure "create with a hook timing out"
  [[ "$status" -ne 124 ]] || fail "create did not honour the hook timeout"
  [[ $((SECONDS - start)) -lt 20 ]] || fail "took $((SECONDS - start))s"
}
