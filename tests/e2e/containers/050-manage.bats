#!/usr/bin/env bats
# pause/unpause, update (cgroup files), stats, container prune, events.

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { ct_teardown; }

# cgdir CONTROLLER NAME: the container's cgroup v1 directory for CONTROLLER,
# from /proc/<pid>/cgroup of its init (…/berth/<id>).
cgdir() {
  local pid rel
  pid="$(b inspect -f '{{.State.Pid}}' "$2")"
  rel="$(awk -F: -v c="$1" '{n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3}' "/proc/$pid/cgroup")"
  [[ -n "$rel" ]] || { echo "no $1 cgroup for pid $pid" >&2; return 1; }
  echo "/sys/fs/cgroup/$1$rel"
}

# lines_of NAME: how many lines the container has logged
lines_of() {
  b logs "$1" 2>/dev/null | wc -l
}

@test "pause freezes the processes, unpause thaws them" {
  id="$(b run -d --name pz busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done')"
  wait_log pz 5
  freezer="$(cgdir freezer pz)"
  assert_match "$freezer" "/berth/$id\$" "freezer cgroup path"
  run_berth pause pz
  assert_success
  assert_eq "$output" pz
  assert_eq "$(state pz)" paused
  assert_eq "$(b inspect -f '{{.State.Paused}} {{.State.Running}}' pz)" "true true"
  wait_for 10 grep -qx FROZEN "$freezer/freezer.state"
  # one observation window: a frozen counter does not advance
  n1="$(lines_of pz)"
  sleep 1
  n2="$(lines_of pz)"
  assert_eq "$n2" "$n1" "log lines while paused"
  run_berth pause pz
  assert_failure
  assert_match "$output" "is already paused"
  run_berth exec pz true
  assert_failure
  assert_match "$output" "is paused, unpause the container before exec"
  run_berth unpause pz
  assert_success
  assert_eq "$output" pz
  assert_eq "$(state pz)" running
  assert_eq "$(cat "$freezer/freezer.state")" THAWED
  wait_for 10 bash -c "(( \$('$BERTH' -H '$HOST' logs pz 2>/dev/null | wc -l) > $n2 + 5 ))"
  run_berth unpause pz
  assert_failure
  assert_match "$output" "is not paused"
}

@test "pause: errors on stopped containers; a paused container can be stopped and removed" {
  b create --name pc busybox sleep 1000 >/dev/null
  run_berth pause pc
  assert_failure
  assert_match "$output" "is not running"
  run_berth pause nosuch
  assert_failure
  assert_match "$output" "No such container: nosuch"
  b start pc >/dev/null
  b pause pc >/dev/null
  run_berth stop -t 1 pc
  assert_success
  assert_eq "$(state pc)" exited
  b start pc >/dev/null
  b pause pc >/dev/null
  pid="$(b inspect -f '{{.State.Pid}}' pc)"
  run_berth rm -f pc
  assert_success
  wait_for 10 pid_gone "$pid"
}

@test "update --memory --memory-swap --cpus --pids-limit: cgroup files and inspect" {
  id="$(b run -d --name up busybox sleep 1000)"
  wait_state up running
  mem="$(cgdir memory up)"
  assert_match "$mem" "/berth/$id\$" "memory cgroup path"
  run_berth update --memory 64m --memory-swap 128m --cpus 1.5 --pids-limit 77 up
  assert_success
  assert_eq "$output" up
  assert_eq "$(cat "$mem/memory.limit_in_bytes")" 67108864
  if [[ -f "$mem/memory.memsw.limit_in_bytes" ]]; then
    assert_eq "$(cat "$mem/memory.memsw.limit_in_bytes")" 134217728
  fi
  cpu="$(cgdir cpu up)"
  assert_eq "$(cat "$cpu/cpu.cfs_quota_us")" 150000
  assert_eq "$(cat "$cpu/cpu.cfs_period_us")" 100000
  assert_eq "$(cat "$(cgdir pids up)/pids.max")" 77
  run_berth inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' up
  assert_eq "$output" "67108864 134217728 1500000000 77"
  # the limit applies: 77 processes at most
  run_berth exec up sh -c 'i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done 2>&1 | head -1'
  assert_match "$output" "fork|Resource temporarily unavailable|can't fork"
  # update --cpu-shares, then a second update keeps the first one's values
  run_berth update --cpu-shares 512 up
  assert_success
  assert_eq "$(cat "$cpu/cpu.shares")" 512
  assert_eq "$(cat "$mem/memory.limit_in_bytes")" 67108864
}

@test "update of a stopped container applies at the next start; several containers" {
  b create --name us1 busybox sleep 1000 >/dev/null
  b create --name us2 busybox sleep 1000 >/dev/null
  run_berth update --pids-limit 33 --memory 48m --memory-swap -1 us1 us2
  assert_success
  assert_eq "$output" "$(printf 'us1\nus2')"
  b start us1 >/dev/null
  assert_eq "$(cat "$(cgdir pids us1)/pids.max")" 33
  assert_eq "$(cat "$(cgdir memory us1)/memory.limit_in_bytes")" 50331648
  assert_eq "$(b inspect -f '{{.HostConfig.PidsLimit}} {{.HostConfig.MemorySwap}}' us2)" "33 -1"
}

@test "update --restart changes the policy; update errors" {
  b run -d --name ur busybox sleep 1000 >/dev/null
  run_berth update --restart on-failure:3 ur
  assert_success
  assert_eq "$(b inspect -f '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' ur)" "on-failure 3"
  run_berth update --restart always ur
  assert_success
  assert_eq "$(b inspect -f '{{.HostConfig.RestartPolicy.Name}}' ur)" "always"
  # the new policy is in force: a kill of the process restarts it
  pid="$(b inspect -f '{{.State.Pid}}' ur)"
  kill -KILL "$pid"
  wait_for 20 bash -c "(( \$('$BERTH' -H '$HOST' inspect -f '{{.RestartCount}}' ur) >= 1 ))"
  wait_state ur running
  b run -d --rm --name urm busybox sleep 1000 >/dev/null
  run_berth update --restart always urm
  assert_failure
  assert_match "$output" "Restart policy cannot be updated because AutoRemove is enabled for the container"
  # the memory limit must stay below the swap limit set before (-m 32m: swap 64m)
  b run -d --name um -m 32m busybox sleep 1000 >/dev/null
  assert_eq "$(b inspect -f '{{.HostConfig.MemorySwap}}' um)" 67108864
  run_berth update -m 128m um
  assert_failure
  assert_match "$output" "Memory limit should be smaller than already set memoryswap limit"
  run_berth update -m 1m um
  assert_failure
  assert_match "$output" "Minimum memory limit allowed is 6MB"
  run_berth update --cpus 1 nosuch
  assert_failure
  assert_match "$output" "No such container: nosuch"
  run_berth update um
  assert_failure
  assert_match "$output" "you must provide one or more flags when using this command"
}

@test "stats --no-stream: table, --format, PIDs, memory limit, stopped and missing containers" {
  id="$(b run -d --name sts -m 64m busybox sh -c 'sleep 1000 & sleep 1000 & wait')"
  wait_for 10 bash -c "[[ \$('$BERTH' -H '$HOST' top sts | grep -c 'sleep 1000\$') == 2 ]]"
  run_berth stats --no-stream
  assert_success
  assert_match "${lines[0]}" '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS$'
  assert_eq "${#lines[@]}" 2
  assert_match "${lines[1]}" "^${id:0:12} +sts +[0-9.]+% +[0-9.]+[KMG]?i?B / 64MiB +[0-9.]+% +.* +3$"
  run_berth stats --no-stream --format '{{.Name}} {{.PIDs}} {{.Container}}' sts
  assert_eq "$output" "sts 3 sts"
  run_berth stats --no-stream --format '{{.ID}} {{.MemPerc}} {{.CPUPerc}}' "$id"
  assert_match "$output" "^${id:0:12} [0-9.]+% [0-9.]+%$"
  run_berth stats --no-stream --format '{{json .}}' sts
  assert_eq "$(jq -r '.Name + " " + .PIDs' <<<"$output")" "sts 3"
  run_berth stats --no-stream --format 'table {{.Name}}\t{{.PIDs}}'
  assert_match "${lines[0]}" '^NAME +PIDS$'
  assert_match "${lines[1]}" '^sts +3$'
  # a stopped container: zeros; -a lists it
  b create --name sts-off busybox true >/dev/null
  run_berth stats --no-stream --format '{{.Name}} {{.PIDs}} {{.MemUsage}}' sts-off
  assert_success
  assert_eq "$output" "sts-off 0 0B / 0B"
  run_berth stats --no-stream -a --format '{{.Name}}'
  assert_match "$output" "sts-off"
  run_berth stats --no-stream nosuch
  assert_failure
  assert_match "$output" "No such container: nosuch"
}

@test "stats streams until interrupted" {
  b run -d --name stx busybox sleep 1000 >/dev/null
  wait_state stx running
  out="$BATS_TEST_TMPDIR/stats.out"
  # (a background job of a script ignores SIGINT: TERM ends it)
  "$BERTH" -H "$HOST" stats --format '{{.Name}} {{.PIDs}}' stx >"$out" 2>&1 3>&- &
  spid=$!
  # two refreshes at least
  wait_for 20 bash -c "[[ \$(grep -c 'stx 1' '$out') -ge 2 ]]"
  kill -TERM "$spid"
  wait_for 10 pid_gone "$spid"
}

@test "container prune: stopped only, -f, label and until filters, the prompt" {
  b create --name p-keep --label keep=yes busybox true >/dev/null
  p2="$(b create --name p-gone busybox true)"
  b run -d --name p-run busybox sleep 1000 >/dev/null
  # without -f: the prompt; no answer prunes nothing
  run_cmd bash -c "echo n | '$BERTH' -H '$HOST' container prune"
  assert_success
  assert_match "$output" "WARNING! This will remove all stopped containers."
  assert_match "$output" 'Are you sure you want to continue\? \[y/N\]'
  assert_eq "$(b ps -aq | wc -l)" 3
  run_berth container prune -f --filter 'label!=keep'
  assert_success
  assert_eq "${lines[0]}" "Deleted Containers:"
  assert_eq "${lines[1]}" "$p2"
  assert_match "${lines[-1]}" '^Total reclaimed space: [0-9.]+[kMG]?B$'
  assert_eq "$(b ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" "p-keep p-run "
  # until: only containers created before the time
  run_berth container prune -f --filter until=1h
  assert_success
  assert_eq "$(b ps -aq | wc -l)" 2
  run_berth container prune -f --filter label=keep=yes
  assert_success
  assert_match "$output" "Deleted Containers:"
  assert_eq "$(b ps -a --format '{{.Names}}')" "p-run"
  run_berth container prune -f
  assert_success
  assert_eq "$output" "Total reclaimed space: 0B"
  run_berth container prune -f --filter bogus=1
  assert_failure
  assert_match "$output" "invalid filter 'bogus'"
}

@test "events --since --until --filter container= --filter event=" {
  t0="$(date +%s)"
  id1="$(b run --name ev1 busybox true)" || true
  b run --name ev2 busybox true >/dev/null
  b rm ev1 >/dev/null
  t1="$(( $(date +%s) + 1 ))"
  run_berth events --since "$t0" --until "$t1" --filter container=ev1 --filter event=start
  assert_success
  assert_eq "${#lines[@]}" 1 "start events of ev1"
  assert_match "${lines[0]}" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z container start [0-9a-f]{64} \(image=busybox, name=ev1\)$'
  run_berth events --since "$t0" --until "$t1" --filter container=ev1 --format '{{.Status}}'
  assert_match "$(echo $output)" '^create (attach )?start die destroy$'
  run_berth events --since "$t0" --until "$t1" --filter container=ev1 --filter container=ev2 --filter event=die --format '{{.Actor.Attributes.name}} {{.Actor.Attributes.exitCode}}'
  assert_eq "$output" "$(printf 'ev1 0\nev2 0')"
  run_berth events --since "$t0" --until "$t1" --filter type=container --filter event=destroy --filter container=ev1 --filter container=ev2 --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'
  assert_eq "$output" "container destroy ev1"
  run_berth events --since "$t0" --until "$t1" --filter container=ev2 --filter event=create --format '{{json .}}'
  assert_eq "$(jq -r '.status + " " + .Actor.Attributes.image' <<<"$output")" "create busybox"
}

@test "events streams new events live until --until" {
  until_t="$(( $(date +%s) + 30 ))"
  out="$BATS_TEST_TMPDIR/events.out"
  "$BERTH" -H "$HOST" events --until "$until_t" --filter container=live --format '{{.Action}}' >"$out" 2>&1 3>&- &
  epid=$!
  # the stream is open before the container exists
  wait_for 10 bash -c "curl -s --unix-socket '$SOCK' http://d/info | jq -e '.NEventsListener >= 1'"
  b run -d --name live busybox sleep 1000 >/dev/null
  wait_for 10 grep -qx start "$out"
  b kill live >/dev/null
  wait_for 10 grep -qx die "$out"
  kill -TERM "$epid" 2>/dev/null || true
  wait_for 10 pid_gone "$epid"
  run_cmd cat "$out"
  assert_eq "${lines[0]}" create
}
