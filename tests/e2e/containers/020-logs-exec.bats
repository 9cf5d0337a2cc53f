#!/usr/bin/env bats
# logs (json-file, rotation, follow), exec, attach, -ti through a pty.

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { ct_teardown; }

@test "logs: json-file on disk, --tail, -t, stderr separate" {
  b run --name lg busybox sh -c 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2' >/dev/null
  log="$(b inspect --format '{{.LogPath}}' lg)"
  [[ -f "$log" ]] || fail "no log file $log"
  run_cmd jq -r -s '.[0].log, .[0].stream' "$log"
  assert_eq "${lines[0]}" "line1"
  assert_eq "${lines[1]}" "stdout"
  run_berth logs --tail 2 lg
  assert_eq "$output" "$(printf 'line5\noops')"
  run_cmd bash -c "'$BERTH' -H '$HOST' logs lg 2>/dev/null"
  assert_eq "${#lines[@]}" 5
  run_berth logs -t --tail 1 lg
  assert_match "$output" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z oops$'
}

@test "logs -f follows until the container exits" {
  b run -d --name fl busybox sh -c 'echo a; sleep 1; echo b' >/dev/null
  run_berth logs -f fl
  assert_success
  assert_eq "$output" "$(printf 'a\nb')"
}

@test "--log-opt max-size rotates and logs reads across the files" {
  b run --name rot --log-opt max-size=1k --log-opt max-file=3 busybox \
    sh -c 'i=0; while [ $i -lt 100 ]; do echo "line $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); done' >/dev/null
  log="$(b inspect --format '{{.LogPath}}' rot)"
  [[ -f "$log.1" ]] || fail "no rotated file"
  [[ ! -f "$log.3" ]] || fail "more files than max-file"
  run_berth logs --tail 1 rot
  assert_eq "$output" "line 99 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
}

@test "--log-driver none: no log file, logs refuses" {
  b run --name nolog --log-driver none busybox echo hi >/dev/null
  run_berth logs nolog
  assert_failure
  assert_match "$output" "does not support reading"
}

@test "exec: output, exit code, -e, -w, -u, -d" {
  b run -d --name ex busybox sleep 1000 >/dev/null
  wait_state ex running
  run_berth exec ex echo hi
  assert_success
  assert_eq "$output" hi
  run_berth exec ex sh -c 'exit 5'
  assert_status 5
  run_berth exec -e FOO=bar -w /tmp -u 1000:1000 ex sh -c 'echo $FOO $(pwd) $(id -u)'
  assert_eq "$output" "bar /tmp 1000"
  run_berth exec -d ex sh -c 'echo x > /done'
  assert_success
  wait_for 10 b exec ex test -f /done
  # dockerd answers 126 for any exec that fails to start.
  run_berth exec ex /nonexistent
  assert_status 126
  b stop -t 0 ex >/dev/null
  run_berth exec ex true
  assert_failure
  assert_match "$output" "is not running"
}

@test "exec -i takes stdin" {
  b run -d --name exi busybox sleep 1000 >/dev/null
  run_cmd bash -c "echo piped | '$BERTH' -H '$HOST' exec -i exi cat"
  assert_eq "$output" piped
}

@test "run -ti through a real pty: tty inside, exit code, window size" {
  require_tool script "util-linux"
  run_cmd script -qec "stty cols 91 rows 33; '$BERTH' -H '$HOST' run --rm -ti busybox sh -c 'tty; stty size; exit 4'" /dev/null
  assert_status 4
  assert_match "$output" "/dev/pts/0"
  assert_match "$output" "33 91"
}

@test "-ti: typed input reaches the shell and exit leaves" {
  require_tool script "util-linux"
  run_cmd bash -c "(sleep 1; printf 'echo typed-\$((40+2))\n'; sleep 1; printf 'exit 6\n') | script -qec \"'$BERTH' -H '$HOST' run --rm -ti busybox sh\" /dev/null"
  assert_match "$output" "typed-42"
  assert_status 6
}

@test "attach to a running container, detach with ctrl-p ctrl-q" {
  require_tool script "util-linux"
  b run -dti --name at busybox sh >/dev/null
  wait_state at running
  run_cmd bash -c "(sleep 1; printf 'echo attached-ok\n'; sleep 1; printf '\020\021') | script -qec \"'$BERTH' -H '$HOST' attach at\" /dev/null"
  # As docker attach: the escape sequence ends it with status 1.
  assert_status 1
  assert_match "$output" "attached-ok"
  assert_match "$output" "read escape sequence"
  assert_eq "$(state at)" running
}

@test "start -a streams the output again" {
  b create --name sa busybox echo again >/dev/null
  run_berth start -a sa
  assert_eq "$output" again
  run_berth start -a sa
  assert_eq "$output" again
  run_berth logs sa
  assert_eq "$output" "$(printf 'again\nagain')"
}
