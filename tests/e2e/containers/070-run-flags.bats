#!/usr/bin/env bats
# run/create flags: environment, working dir, user, entrypoint, labels,
# stop signal and timeout, --init, ulimits, devices, tmpfs, signal proxy,
# detach keys, --cidfile, restart policy validation, health checks.

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { ct_teardown; }

# now_ms: wall clock in milliseconds
now_ms() {
  echo $(( $(date +%s%N) / 1000000 ))
}

@test "--env-file and -e KEY take values from the file and the environment" {
  f="$BATS_TEST_TMPDIR/env"
  printf '# a comment\n\nFOO=from-file\nSPACED=a b  c\nFROMENV\nUNSETVAR\n' > "$f"
  run_cmd env FROMENV=outside KEYONLY=k2 "$BERTH" -H "$HOST" run --rm --env-file "$f" -e KEYONLY -e NOTSET -e FOO=override busybox env
  assert_success
  for kv in FOO=override "SPACED=a b  c" FROMENV=outside KEYONLY=k2; do
    grep -qxF -- "$kv" <<<"$output" || fail "no $kv in the environment: $output"
  done
  assert_no_match "$output" "UNSETVAR|NOTSET|comment"
  run_berth run --rm --env-file "$BATS_TEST_TMPDIR/missing" busybox true
  assert_status 125
  assert_match "$output" "no such file or directory"
}

@test "-w creates and enters the directory; -u user, uid:gid and a missing user" {
  run_berth run --rm -w /new/work busybox pwd
  assert_success
  assert_eq "$output" /new/work
  run_berth run --rm -u 1000:1001 busybox sh -c 'echo $(id -u) $(id -g)'
  assert_eq "$output" "1000 1001"
  run_berth run --rm -u nobody busybox sh -c 'echo $(id -u) $(id -g)'
  assert_eq "$output" "65534 65534"
  run_berth run --rm -u nosuchuser busybox true
  assert_failure
  assert_match "$output" "unable to find user nosuchuser"
}

@test "--entrypoint replaces the image's entrypoint; empty resets it" {
  b create --name epsrc busybox true >/dev/null
  b commit -c 'ENTRYPOINT ["echo", "ep"]' -c 'CMD ["default"]' epsrc ep-img >/dev/null
  run_berth run --rm ep-img
  assert_eq "$output" "ep default"
  run_berth run --rm ep-img arg
  assert_eq "$output" "ep arg"
  run_berth run --rm --entrypoint cat ep-img /etc/passwd
  assert_success
  assert_match "$output" "^root:x:0:0"
  run_berth run --rm --entrypoint '' ep-img sh -c 'echo no-entrypoint'
  assert_success
  assert_eq "$output" no-entrypoint
  run_berth create --name ep-empty --entrypoint '' ep-img echo x
  assert_match "$(b inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' ep-empty)" '^(\[""\]|\[\]|null) \["echo","x"\]$'
  run_berth run --rm --entrypoint 'echo' busybox hi there
  assert_eq "$output" "hi there"
}

@test "-l and --label-file set labels" {
  f="$BATS_TEST_TMPDIR/labels"
  printf '# labels\nfrom.file=yes\nempty\n' > "$f"
  export empty=from-env
  b create --name lb -l a=1 --label b=two --label-file "$f" busybox true >/dev/null
  run_berth inspect -f '{{json .Config.Labels}}' lb
  assert_success
  # as docker's ReadKVStrings: a line without "=" is dropped
  assert_eq "$output" '{"a":"1","b":"two","from.file":"yes"}'
  run_berth ps -a --filter label=from.file=yes --format '{{.Names}}'
  assert_eq "$output" lb
}

@test "--stop-signal: the container's trap sees it on stop" {
  b run -d --name ssig --stop-signal USR1 busybox sh -c 'trap "echo got-usr1; exit 0" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null
  wait_log ssig ready
  assert_eq "$(b inspect -f '{{.Config.StopSignal}}' ssig)" USR1
  run_berth stop ssig
  assert_success
  wait_log ssig got-usr1
  assert_eq "$(b inspect -f '{{.State.ExitCode}}' ssig)" 0
  # kill without -s still sends KILL
  b start ssig >/dev/null
  wait_state ssig running
  b kill ssig >/dev/null
  wait_state ssig exited
  assert_eq "$(b inspect -f '{{.State.ExitCode}}' ssig)" 137
}

@test "--stop-timeout: stop waits that long before KILL; -t overrides it" {
  b run -d --name stt --stop-timeout 2 busybox sh -c 'trap "echo ignored-term" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
  wait_log stt ready
  assert_eq "$(b inspect -f '{{.Config.StopTimeout}}' stt)" 2
  t0="$(now_ms)"
  run_berth stop stt
  t1="$(now_ms)"
  assert_success
  (( t1 - t0 >= 1900 && t1 - t0 < 8000 )) || fail "stop took $((t1 - t0)) ms, expected about 2000"
  assert_eq "$(b inspect -f '{{.State.ExitCode}}' stt)" 137
  wait_log stt ignored-term
  b start stt >/dev/null
  wait_state stt running
  t0="$(now_ms)"
  run_berth stop -t 0 stt
  t1="$(now_ms)"
  (( t1 - t0 < 1500 )) || fail "stop -t 0 took $((t1 - t0)) ms"
}

@test "--init: PID 1 is /sbin/docker-init, zombies are reaped, signals forwarded" {
  run_berth run --rm --init busybox sh -c 'tr "\0" " " < /proc/1/cmdline; echo; echo $$'
  assert_success
  assert_match "${lines[0]}" '^/sbin/docker-init -- sh -c '
  assert_ne "${lines[1]}" 1 "the command's pid"
  # an orphan whose parent exec'd into something that does not reap:
  # with --init PID 1 reaps it, without it the zombie stays.
  zombie_cmd='(sh -c "sleep 0.3 &"); exec sleep 1000'
  b run -d --name noinit busybox sh -c "$zombie_cmd" >/dev/null
  b run -d --name withinit --init busybox sh -c "$zombie_cmd" >/dev/null
  # ps in the container: STAT and the command of each process
  procs() { b exec "$1" ps -o stat,args; }
  has_zombie() { procs "$1" | grep -q '^Z'; }
  orphan_gone() { ! procs "$1" | grep -qE '^[A-Z]+ +sleep 0\.3$'; }
  wait_for 10 has_zombie noinit
  wait_for 10 orphan_gone withinit
  run_berth exec withinit ps -o stat,args
  assert_no_match "$output" "(^|$'\n')Z"
  assert_match "$output" "docker-init -- sh -c"
  b run -d --name initsig --init busybox sh -c 'trap "echo term-seen; exit 5" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
  wait_log initsig ready
  run_berth stop -t 10 initsig
  assert_success
  wait_log initsig term-seen
  assert_eq "$(b inspect -f '{{.State.ExitCode}}' initsig)" 5
}

@test "--ulimit sets soft and hard limits" {
  run_berth run --rm --ulimit nofile=1024:2048 --ulimit nproc=300 busybox sh -c 'ulimit -n; ulimit -Hn; ulimit -u'
  assert_success
  assert_eq "$output" "$(printf '1024\n2048\n300')"
  run_berth run --rm --ulimit nofile=bad busybox true
  assert_status 125
  assert_match "$output" "invalid"
}

@test "--device maps a host device under a new name" {
  run_berth run --rm --device /dev/null:/dev/mynull busybox sh -c 'test -c /dev/mynull && echo x > /dev/mynull && stat -c "%t,%T" /dev/mynull'
  assert_success
  assert_eq "$output" "1,3"
  run_berth run --rm busybox test -e /dev/mynull
  assert_failure
  run_berth run --rm --device /dev/nonexistent busybox true
  assert_failure
  assert_match "$output" "/dev/nonexistent"
}

@test "--tmpfs mounts a tmpfs with its options" {
  run_berth run --rm --tmpfs /scratch:size=1m,mode=1770 busybox sh -c 'grep " /scratch " /proc/mounts; stat -c %a /scratch; dd if=/dev/zero of=/scratch/big bs=1k count=2048 2>&1'
  assert_match "${lines[0]}" '^tmpfs /scratch tmpfs rw,.*size=1024k'
  assert_match "${lines[0]}" 'mode=1770'
  assert_match "${lines[0]}" 'nosuid'
  assert_match "${lines[0]}" 'nodev'
  assert_eq "${lines[1]}" 1770
  assert_match "$output" "No space left on device"
  run_berth run --rm --tmpfs /t busybox sh -c 'grep " /t " /proc/mounts'
  assert_match "$output" '^tmpfs /t tmpfs rw,nosuid,nodev,noexec'
}

@test "--sig-proxy: a signal to berth run reaches the container; =false does not" {
  out="$BATS_TEST_TMPDIR/sp.out"
  "$BERTH" -H "$HOST" run --name sp busybox sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done' >"$out" 2>&1 3>&- &
  rpid=$!
  wait_log sp ready
  kill -USR1 "$rpid"
  wait_for 10 grep -q got-usr1 "$out"
  pid_alive "$rpid" || fail "berth run ended on the proxied signal"
  b kill sp >/dev/null
  wait_for 10 pid_gone "$rpid"
  out2="$BATS_TEST_TMPDIR/sp2.out"
  "$BERTH" -H "$HOST" run --sig-proxy=false --name sp2 busybox sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done' >"$out2" 2>&1 3>&- &
  rpid=$!
  wait_log sp2 ready
  kill -USR1 "$rpid"
  wait_for 10 pid_gone "$rpid"
  assert_eq "$(state sp2)" running
  run_berth logs sp2
  assert_eq "$output" ready
}

@test "--detach-keys: a custom sequence detaches from run -ti" {
  require_tool script "util-linux"
  fifo="$BATS_TEST_TMPDIR/in"
  out="$BATS_TEST_TMPDIR/out"
  mkfifo "$fifo"
  script -qec "'$BERTH' -H '$HOST' run -ti --name dk --detach-keys ctrl-a,x busybox sh" /dev/null <"$fifo" >"$out" 2>&1 3>&- &
  spid=$!
  exec 7>"$fifo"
  # the shell's prompt, then a command, then the keys once its output shows
  # (the log has no partial lines: the output file is watched)
  wait_for 20 grep -qF '#' "$out"
  printf 'echo dk-$((20+1))\n' >&7
  wait_for 20 grep -q dk-21 "$out"
  printf '\001x' >&7
  wait_for 20 pid_gone "$spid"
  rc=0
  wait "$spid" || rc=$?
  exec 7>&-
  assert_eq "$rc" 0 "exit status of run -ti after the detach keys"
  assert_eq "$(state dk)" running
  run_cmd cat "$out"
  assert_match "$output" "dk-21"
  assert_eq "$(b inspect -f '{{.Config.Tty}} {{.Config.OpenStdin}}' dk)" "true true"
}

@test "--cidfile writes the ID and refuses an existing file" {
  f="$BATS_TEST_TMPDIR/cid"
  id="$(b run -d --cidfile "$f" busybox sleep 1000)"
  assert_eq "$(cat "$f")" "$id"
  run_berth run -d --cidfile "$f" busybox true
  assert_status 125
  assert_match "$output" "container ID file found, make sure the other container isn't running or delete $f"
  assert_eq "$(b ps -aq | wc -l)" 1
}

@test "--restart validation" {
  run_berth run --rm --restart always busybox true
  assert_status 125
  assert_match "$output" "Conflicting options: --restart and --rm"
  # the daemon validates the name and count: run says 125, create 1 (as docker)
  run_berth run -d --restart bogus busybox true
  assert_status 125
  assert_match "$output" "invalid restart policy 'bogus'"
  run_berth create --restart bogus busybox true
  assert_status 1
  assert_match "$output" "Error response from daemon: invalid restart policy 'bogus'"
  run_berth run -d --restart always:3 busybox true
  assert_status 125
  assert_match "$output" "maximum retry count cannot be used with restart policy 'always'"
  run_berth run -d --restart on-failure:-1 busybox true
  assert_status 125
  assert_match "$output" "maximum retry count cannot be negative"
  run_berth run -d --restart on-failure:x busybox true
  assert_status 125
  assert_match "$output" 'maximum retry count must be an integer|invalid syntax'
  run_berth ps -aq
  assert_eq "$output" ""
  run_berth create --name rs --restart unless-stopped busybox true
  assert_success
  assert_eq "$(b inspect -f '{{.HostConfig.RestartPolicy.Name}}' rs)" unless-stopped
}

@test "--health-cmd: healthy and unhealthy, the status in ps" {
  b run -d --name hc --health-cmd 'test -f /healthy' --health-interval 1s --health-retries 2 --health-timeout 2s \
    busybox sleep 1000 >/dev/null
  assert_eq "$(b inspect -f '{{.Config.Healthcheck.Test}}' hc)" "[CMD-SHELL test -f /healthy]"
  assert_match "$(b ps --format '{{.Status}}' --filter name=hc)" '\(health: starting\)'
  wait_for 20 bash -c "[[ \$('$BERTH' -H '$HOST' inspect -f '{{.State.Health.Status}}' hc) == unhealthy ]]"
  assert_match "$(b ps --format '{{.Status}}' --filter name=hc)" '\(unhealthy\)'
  b exec hc touch /healthy
  wait_for 20 bash -c "[[ \$('$BERTH' -H '$HOST' inspect -f '{{.State.Health.Status}}' hc) == healthy ]]"
  run_berth ps --filter health=healthy --format '{{.Names}}'
  assert_eq "$output" hc
  run_berth inspect -f '{{(index .State.Health.Log 0).ExitCode}}' hc
  assert_eq "$output" 1
  run_berth run -d --name nohc --no-healthcheck busybox sleep 1000
  assert_eq "$(b inspect nohc | jq '.[0].State | has("Health")')" false "State.Health with --no-healthcheck"
}
