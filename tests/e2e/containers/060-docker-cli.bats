#!/usr/bin/env bats
# The real docker CLI against berthd: Debian's 20.10 client (/usr/bin/docker)
# and the 28.x client (/usr/local/bin/docker) run, exec, logs, cp, commit, ...
# on containers. Both clients for each test where installed.

load helpers
load ../lib/docker_cli

setup_file() {
  need_docker_clients || return 1
  ct_setup_file
}
teardown_file() { ct_teardown_file; }
teardown() {
  local p
  for p in ${BG_PIDS:-}; do kill -KILL "$p" 2>/dev/null || true; done
  ct_teardown
}

# clients, dk, run_docker: ../lib/docker_cli.bash.

# run_docker_split CLIENT ARGS...: as run_docker, stdout in $output and
# stderr in $stderr_text.
run_docker_split() {
  local c="$1"
  shift
  run_cmd bash -c 'env -u DOCKER_HOST -u DOCKER_CONTEXT DOCKER_CONFIG="$0" "$@" 2>"$0.err"' \
    "$CTDIR/dockercfg" "$c" -H "$HOST" "$@"
  stderr_text="$(cat "$CTDIR/dockercfg.err")"
}

@test "docker run --rm: output, stdout and stderr apart, exit codes 0 and 3, nothing left" {
  local c
  for c in $(clients); do
    run_docker "$c" run --rm busybox echo hello
    assert_success "$c run --rm"
    assert_eq "$output" hello "$c run --rm output"
    run_docker_split "$c" run --rm busybox sh -c 'echo out; echo err >&2'
    assert_success
    assert_eq "$output" out "$c stdout"
    assert_eq "$stderr_text" err "$c stderr"
    run_docker "$c" run --rm busybox sh -c 'exit 3'
    assert_status 3 "$c run exit 3"
    run_docker "$c" run --rm -e A=1 -w /tmp -u 1234:5678 --hostname hn --name rmme busybox \
      sh -c 'echo $A; pwd; id -u; id -g; hostname'
    assert_eq "$output" "$(printf '1\n/tmp\n1234\n5678\nhn')" "$c run options"
    run_docker "$c" run --rm --entrypoint echo busybox ep
    assert_eq "$output" ep "$c --entrypoint"
    run_cmd bash -c "printf 'a\nb\n' | timeout -s KILL 60 env -u DOCKER_HOST DOCKER_CONFIG='$CTDIR/dockercfg' '$c' -H '$HOST' run --rm -i busybox wc -l"
    assert_eq "$(echo $output)" 2 "$c run -i"
    run_docker "$c" ps -aq
    assert_eq "$output" "" "$c: containers left by run --rm"
  done
}

@test "docker exit codes: 125 (docker), 126 (not executable), 127 (not found)" {
  local c
  for c in $(clients); do
    run_docker "$c" run --rm --pull never busybox:nope true
    assert_status 125 "$c run of a missing image"
    assert_match "$output" "No such image: busybox:nope"
    run_docker "$c" run --rm --bogus-flag busybox true
    assert_status 125 "$c run --bogus-flag"
    dk "$c" create --name dup busybox true >/dev/null
    run_docker "$c" run --name dup busybox true
    assert_status 125 "$c run with a name in use"
    assert_match "$output" 'Conflict. The container name "/dup" is already in use'
    dk "$c" rm dup >/dev/null
    run_docker "$c" run --rm busybox /nonexistent
    assert_status 127 "$c run /nonexistent"
    assert_match "$output" "no such file or directory|executable file not found"
    run_docker "$c" run --rm busybox nonexistent-cmd
    assert_status 127 "$c run nonexistent-cmd (PATH lookup)"
    assert_match "$output" "executable file not found in \\\$PATH"
    run_docker "$c" run --rm busybox /etc/passwd
    assert_status 126 "$c run of a non-executable"
    assert_match "$output" "permission denied"
    run_docker "$c" run --rm busybox /etc
    assert_status 126 "$c run of a directory"
    run_docker "$c" ps -aq
    assert_eq "$output" "" "$c: containers left by failed run --rm"
  done
}

@test "docker run -d, logs, logs -f until exit, --tail, -t" {
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    run_docker "$c" run -d --name lf$n busybox sh -c 'echo a; echo e >&2; while [ ! -f /go ]; do sleep 0.05; done; echo b'
    assert_success "$c run -d"
    assert_match "$output" '^[0-9a-f]{64}$'
    local id="$output"
    dk "$c" logs -f lf$n >"$CTDIR/follow.$n" 2>&1 3>&- &
    local pid=$!
    BG_PIDS="${BG_PIDS:-} $pid"
    wait_for 20 grep -q '^a$' "$CTDIR/follow.$n"
    pid_alive "$pid" || fail "$c logs -f ended before the container"
    dk "$c" exec lf$n touch /go
    wait_for 20 pid_gone "$pid"
    run_cmd sort "$CTDIR/follow.$n"
    assert_eq "$output" "$(printf 'a\nb\ne')" "$c logs -f"
    run_docker "$c" wait lf$n
    assert_eq "$output" 0 "$c wait"
    run_docker_split "$c" logs lf$n
    assert_eq "$output" "$(printf 'a\nb')" "$c logs stdout"
    assert_eq "$stderr_text" e "$c logs stderr"
    run_docker_split "$c" logs --tail 1 lf$n
    assert_eq "$output" b "$c logs --tail 1"
    run_docker_split "$c" logs -t lf$n
    assert_match "${lines[0]}" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z a$' "$c logs -t"
    run_docker "$c" inspect -f '{{.Id}} {{.State.Status}} {{.State.ExitCode}}' lf$n
    assert_eq "$output" "$id exited 0" "$c inspect"
  done
}

@test "docker exec: output, exit code, -e, -w, -u, -i, -d, not running" {
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    dk "$c" run -d --name ex$n busybox sleep 1000 >/dev/null
    wait_state ex$n running
    run_docker "$c" exec ex$n echo hi
    assert_success "$c exec"
    assert_eq "$output" hi
    run_docker "$c" exec ex$n sh -c 'exit 4'
    assert_status 4 "$c exec exit code"
    run_docker "$c" exec -e X=y -w /tmp -u nobody ex$n sh -c 'echo $X; pwd; id -un'
    assert_eq "$output" "$(printf 'y\n/tmp\nnobody')" "$c exec -e -w -u"
    run_cmd bash -c "echo piped | timeout -s KILL 60 env -u DOCKER_HOST DOCKER_CONFIG='$CTDIR/dockercfg' '$c' -H '$HOST' exec -i ex$n cat"
    assert_eq "$output" piped "$c exec -i"
    run_docker "$c" exec -d ex$n sh -c 'touch /exec-d'
    assert_success "$c exec -d"
    wait_for 10 dk "$c" exec ex$n test -f /exec-d
    run_docker "$c" exec ex$n /nonexistent
    assert_status 126 "$c exec /nonexistent (dockerd: 126 for every exec that fails to start)"
    assert_match "$output" "no such file or directory"
    run_docker "$c" exec ex$n nonexistent-cmd
    assert_status 126 "$c exec nonexistent-cmd"
    assert_match "$output" "executable file not found in \\\$PATH"
    run_docker "$c" top ex$n
    assert_success "$c top"
    assert_match "${lines[0]}" "PID"
    assert_match "$output" "sleep 1000"
    dk "$c" kill ex$n >/dev/null
    wait_state ex$n exited
    run_docker "$c" exec ex$n true
    assert_failure "$c exec on a stopped container"
    assert_match "$output" "is not running"
  done
}

@test "docker stop, start, restart, kill, wait, rm" {
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    dk "$c" run -d --name lc$n busybox sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
    wait_state lc$n running
    run_docker "$c" rm lc$n
    assert_failure "$c rm of a running container"
    assert_match "$output" "You cannot remove a running container"
    run_docker "$c" stop -t 5 lc$n
    assert_success "$c stop"
    assert_eq "$output" lc$n
    assert_eq "$(state lc$n)" exited
    run_docker "$c" wait lc$n
    assert_eq "$output" 0 "$c wait after stop (TERM trap)"
    run_docker "$c" start lc$n
    assert_success "$c start"
    assert_eq "$output" lc$n
    wait_state lc$n running
    run_docker "$c" restart -t 5 lc$n
    assert_success "$c restart"
    wait_state lc$n running
    run_docker "$c" kill lc$n
    assert_success "$c kill"
    run_docker "$c" wait lc$n
    assert_eq "$output" 137 "$c wait after kill"
    run_docker "$c" kill lc$n
    assert_failure "$c kill of a stopped container"
    assert_match "$output" "is not running"
    run_docker "$c" rm -f lc$n
    assert_success "$c rm -f"
    run_docker "$c" inspect lc$n
    assert_status 1 "$c inspect of a removed container"
    assert_match "$output" "No such object: lc$n|No such container: lc$n"
  done
}

@test "docker stop of a container ignoring SIGTERM kills it after -t" {
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    dk "$c" run -d --name st$n busybox sleep 1000 >/dev/null
    wait_state st$n running
    local t0=$SECONDS
    run_docker "$c" stop -t 1 st$n
    assert_success "$c stop -t 1"
    ((SECONDS - t0 < 15)) || fail "$c stop -t 1 took $((SECONDS - t0)) s"
    run_docker "$c" wait st$n
    assert_eq "$output" 137 "$c wait"
  done
}

@test "docker create, start -a, wait, commit, run the image" {
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    run_docker "$c" create --name cm$n busybox sh -c 'echo made > /marker; exit 2'
    assert_success "$c create"
    assert_eq "$(state cm$n)" created
    run_docker "$c" start -a cm$n
    assert_status 2 "$c start -a"
    run_docker "$c" wait cm$n
    assert_eq "$output" 2 "$c wait"
    run_docker "$c" commit -m "the marker" -c 'CMD ["cat", "/marker"]' -c 'ENV M=1' cm$n compat/cm$n:v1
    assert_success "$c commit"
    assert_match "$output" '^sha256:[0-9a-f]{64}$'
    run_docker "$c" run --rm compat/cm$n:v1
    assert_success "$c run of the committed image"
    assert_eq "$output" made
    run_docker "$c" image inspect -f '{{.Comment}} {{json .Config.Cmd}} {{index .Config.Env 0}}' compat/cm$n:v1
    assert_eq "$output" 'the marker ["cat","/marker"] M=1' "$c image inspect"
    run_docker "$c" diff cm$n
    assert_success "$c diff"
    assert_match "$output" "A /marker"
    run_docker "$c" rm cm$n
    assert_success
    run_docker "$c" rmi compat/cm$n:v1
    assert_success
  done
}

@test "docker cp: host to container and back, directories, stdin/stdout tar" {
  local c n=0
  mkdir -p "$CTDIR/cpsrc/dir"
  printf 'file content\n' >"$CTDIR/cpsrc/file.txt"
  printf 'inner\n' >"$CTDIR/cpsrc/dir/inner.txt"
  for c in $(clients); do
    n=$((n + 1))
    dk "$c" run -d --name cp$n busybox sleep 1000 >/dev/null
    wait_state cp$n running
    run_docker "$c" cp "$CTDIR/cpsrc/file.txt" cp$n:/tmp/
    assert_success "$c cp to the container"
    run_docker "$c" cp "$CTDIR/cpsrc/dir" cp$n:/tmp/d
    assert_success "$c cp a directory"
    run_docker "$c" exec cp$n cat /tmp/file.txt /tmp/d/inner.txt
    assert_eq "$output" "$(printf 'file content\ninner')" "$c cp content"
    dk "$c" exec cp$n sh -c 'echo from-ctr > /tmp/out.txt'
    rm -rf "$CTDIR/cpdst" && mkdir -p "$CTDIR/cpdst"
    run_docker "$c" cp cp$n:/tmp/out.txt "$CTDIR/cpdst/"
    assert_success "$c cp from the container"
    assert_eq "$(cat "$CTDIR/cpdst/out.txt")" from-ctr
    run_docker "$c" cp cp$n:/tmp/d "$CTDIR/cpdst/d"
    assert_success "$c cp a directory back"
    assert_eq "$(cat "$CTDIR/cpdst/d/inner.txt")" inner
    run_cmd bash -c "env -u DOCKER_HOST DOCKER_CONFIG='$CTDIR/dockercfg' '$c' -H '$HOST' cp cp$n:/tmp/out.txt - | tar -tf -"
    assert_eq "$output" out.txt "$c cp to stdout"
    run_docker "$c" cp cp$n:/nonexistent "$CTDIR/cpdst/"
    assert_failure "$c cp of a missing path"
    assert_match "$output" "Could not find the file /nonexistent in container cp$n|No such container:path: cp$n:/nonexistent"
    # A stopped container too.
    dk "$c" kill cp$n >/dev/null
    wait_state cp$n exited
    run_docker "$c" cp cp$n:/tmp/file.txt "$CTDIR/cpdst/stopped.txt"
    assert_success "$c cp from a stopped container"
    assert_eq "$(cat "$CTDIR/cpdst/stopped.txt")" "file content"
  done
}

@test "docker run -ti and exec -ti through a real pseudo-terminal" {
  require_tool script "util-linux"
  # (in the container: up to 10 s until the pty has a size)
  local WAIT_SIZE='i=0; until [ -n "$(stty size 2>/dev/null)" ] || [ $i -gt 200 ]; do i=$((i+1)); sleep 0.05; done;'
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    # The client sets the size after the start (API 1.41 has no ConsoleSize at
    # create): dockerd's container may see 0x0 first too, so it polls.
    run_cmd script -qec "stty cols 91 rows 33; env -u DOCKER_HOST DOCKER_CONFIG='$CTDIR/dockercfg' '$c' -H '$HOST' run --rm -ti busybox sh -c '$WAIT_SIZE tty; stty size; exit 4'" /dev/null
    assert_status 4 "$c run -ti"
    assert_match "$output" "/dev/pts/0" "$c run -ti tty"
    assert_match "$output" "33 91" "$c run -ti size"
    run_cmd bash -c "(sleep 1; printf 'echo typed-\$((40+2))\n'; sleep 1; printf 'exit 6\n') | script -qec \"env -u DOCKER_HOST DOCKER_CONFIG='$CTDIR/dockercfg' '$c' -H '$HOST' run --rm -ti busybox sh\" /dev/null"
    assert_status 6 "$c run -ti typed exit"
    assert_match "$output" "typed-42" "$c run -ti typed input"
    dk "$c" run -d --name tty$n busybox sleep 1000 >/dev/null
    wait_state tty$n running
    run_cmd script -qec "stty cols 80 rows 20; env -u DOCKER_HOST DOCKER_CONFIG='$CTDIR/dockercfg' '$c' -H '$HOST' exec -ti tty$n sh -c '$WAIT_SIZE tty; stty size; exit 5'" /dev/null
    assert_status 5 "$c exec -ti"
    assert_match "$output" "/dev/pts/[0-9]+" "$c exec -ti tty"
    # The size: the 20.10 client sends one resize right after the hijack;
    # rarely (about 1 in 20 here) it still arrives late, so not asserted.
  done
}

@test "docker ps and inspect: table, --format, filters, -q, --no-trunc" {
  local c
  dk /usr/bin/docker run -d --name pr --label role=web busybox sleep 1000 >/dev/null 2>&1 ||
    dk /usr/local/bin/docker run -d --name pr --label role=web busybox sleep 1000 >/dev/null
  wait_state pr running
  b run --name pe --label role=job busybox sh -c 'exit 3' >/dev/null || true
  local idr
  idr="$(b inspect -f '{{.Id}}' pr)"
  for c in $(clients); do
    run_docker "$c" ps
    assert_success "$c ps"
    assert_match "${lines[0]}" '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$' "$c ps header"
    assert_eq "${#lines[@]}" 2 "$c ps rows"
    assert_match "${lines[1]}" "^${idr:0:12} +busybox +\"sleep 1000\" +.* ago +Up .* +pr$" "$c ps row"
    run_docker "$c" ps -a --format '{{.Names}} {{.Image}} {{.Status}}'
    assert_match "$output" "pr busybox Up "
    assert_match "$output" "pe busybox Exited \\(3\\) "
    run_docker "$c" ps -aq --no-trunc --filter status=running
    assert_eq "$output" "$idr" "$c ps --filter status=running"
    run_docker "$c" ps -a --filter label=role=job --format '{{.Names}}'
    assert_eq "$output" pe "$c ps --filter label"
    run_docker "$c" ps -a --filter name=p --filter exited=3 --format '{{.Names}} {{.Label "role"}}'
    assert_eq "$output" "pe job" "$c ps --filter exited"
    run_docker "$c" ps -a --format '{{json .Names}}' --filter id="${idr:0:12}"
    assert_eq "$output" '"pr"'
    run_docker "$c" inspect -f '{{.Name}} {{.State.Status}} {{.State.Running}} {{.Config.Image}} {{json .Config.Cmd}} {{.HostConfig.NetworkMode}}' pr
    assert_eq "$output" '/pr running true busybox ["sleep","1000"] default' "$c inspect -f"
    run_docker "$c" inspect -f '{{.State.ExitCode}} {{index .Config.Labels "role"}}' pe
    assert_eq "$output" "3 job" "$c inspect exited"
    run_docker "$c" container inspect pr
    assert_success "$c container inspect"
    [[ "$(jq -r '.[0].Id' <<<"$output")" == "$idr" ]] || fail "$c inspect JSON: $output"
    run_docker "$c" inspect --type container busybox
    assert_failure "$c inspect --type container of an image"
    run_docker "$c" port pr
    assert_success "$c port"
    run_docker "$c" stats --no-stream --format '{{.Name}}' pr
    assert_success "$c stats --no-stream"
    assert_eq "$output" pr
  done
}

@test "docker rename, pause, unpause, update, export, container prune" {
  local c n=0
  for c in $(clients); do
    n=$((n + 1))
    dk "$c" run -d --name rn$n busybox sleep 1000 >/dev/null
    wait_state rn$n running
    run_docker "$c" rename rn$n rn$n-new
    assert_success "$c rename"
    assert_eq "$(state rn$n-new)" running
    run_docker "$c" pause rn$n-new
    assert_success "$c pause"
    assert_eq "$(state rn$n-new)" paused
    run_docker "$c" unpause rn$n-new
    assert_success "$c unpause"
    assert_eq "$(state rn$n-new)" running
    run_docker "$c" update -m 64m --memory-swap 128m rn$n-new
    assert_success "$c update"
    assert_eq "$(b inspect -f '{{.HostConfig.Memory}}' rn$n-new)" 67108864
    run_cmd bash -c "env -u DOCKER_HOST DOCKER_CONFIG='$CTDIR/dockercfg' '$c' -H '$HOST' export rn$n-new | tar -tf - | grep -x -e bin/busybox -e etc/passwd"
    assert_eq "$output" "$(printf 'bin/busybox\netc/passwd')" "$c export"
    dk "$c" create --name pz$n busybox true >/dev/null
    run_docker "$c" container prune -f
    assert_success "$c container prune"
    assert_match "$output" "Total reclaimed space"
    run_docker "$c" ps -aq
    assert_eq "$(echo $output | wc -w)" 1 "$c prune keeps the running container"
    dk "$c" rm -f rn$n-new >/dev/null
  done
}
