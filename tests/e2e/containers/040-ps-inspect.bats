#!/usr/bin/env bats
# ps (flags, filters, formats, STATUS texts), inspect, top, rename, wait on
# several containers, rm -v.

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { ct_teardown; }

# short ID of a container
sid() {
  b inspect --format '{{.Id}}' "$1" | cut -c1-12
}

@test "ps: default table, -a, -q, --no-trunc, -q --no-trunc" {
  up="$(b run -d --name ps-up busybox sleep 1000)"
  b run --name ps-done busybox sh -c 'exit 3' >/dev/null || true
  wait_state ps-up running
  run_berth ps
  assert_success
  assert_match "${lines[0]}" '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
  assert_eq "${#lines[@]}" 2 "rows of ps (running only)"
  assert_match "${lines[1]}" "^${up:0:12} +busybox +\"sleep 1000\" +.* ago +Up .* +ps-up$"
  run_berth ps -a
  assert_eq "${#lines[@]}" 3 "rows of ps -a"
  # newest first
  assert_match "${lines[1]}" 'ps-done$'
  assert_match "${lines[1]}" 'Exited \(3\) .* ago'
  assert_match "${lines[2]}" 'ps-up$'
  run_berth ps -q
  assert_eq "$output" "${up:0:12}"
  run_berth ps -aq
  assert_eq "${#lines[@]}" 2
  assert_eq "${lines[1]}" "${up:0:12}"
  run_berth ps -q --no-trunc
  assert_eq "$output" "$up"
  # --no-trunc keeps the full ID and the whole command
  b run -d --name ps-long busybox sh -c 'echo a-rather-long-command-line; sleep 1000' >/dev/null
  run_berth ps --filter name=ps-long
  # COMMAND: path and args joined by spaces (unquoted), cut to 20 characters
  assert_match "${lines[1]}" '"sh -c echo a-rather…"'
  run_berth ps --no-trunc --filter name=ps-long
  assert_match "${lines[1]}" '^[0-9a-f]{64} +busybox +"sh -c echo a-rather-long-command-line; sleep 1000"'
}

@test "ps -n and -l include stopped containers, newest first" {
  b create --name n1 busybox true >/dev/null
  b create --name n2 busybox true >/dev/null
  b create --name n3 busybox true >/dev/null
  run_berth ps -n 2 --format '{{.Names}}'
  assert_success
  assert_eq "$output" "$(printf 'n3\nn2')"
  run_berth ps -l --format '{{.Names}}'
  assert_eq "$output" "n3"
  run_berth ps -lq
  assert_eq "$output" "$(sid n3)"
}

@test "ps -s: SIZE column and .Size" {
  b run --name sz busybox sh -c 'dd if=/dev/zero of=/blob bs=1024 count=100 2>/dev/null' >/dev/null
  run_berth ps -a -s
  assert_success
  assert_match "${lines[0]}" 'NAMES +SIZE$'
  assert_match "${lines[1]}" 'sz +10[0-9]kB \(virtual [0-9.]+[kM]B\)$'
  run_berth ps -a --format '{{.Size}}'
  assert_match "$output" '^10[0-9]kB \(virtual [0-9.]+[kM]B\)$'
  run_berth inspect -s --format '{{.SizeRw}}' sz
  (( output >= 102400 && output < 120000 )) || fail "SizeRw $output"
}

@test "ps --filter status, name, id, label, ancestor, exited" {
  b run -d --name f-run --label tier=web --label solo busybox sleep 1000 >/dev/null
  b run --name f-ex0 --label tier=db busybox true >/dev/null
  b run --name f-ex2 busybox sh -c 'exit 2' >/dev/null || true
  b create --name f-new busybox true >/dev/null
  # an image of its own (a tag of busybox would share its ID: every
  # busybox container is then its descendant)
  b create --name f-src busybox true >/dev/null
  b commit -c 'LABEL other=1' f-src other:v1 >/dev/null
  b rm f-src >/dev/null
  b run --name f-other other:v1 true >/dev/null
  names() { run_berth ps "$@" --format '{{.Names}}'; output="$(sort <<<"$output" | sed '/^$/d' | tr '\n' ' ')"; }
  names --filter status=running
  assert_eq "$output" "f-run "
  names --filter status=exited
  assert_eq "$output" "f-ex0 f-ex2 f-other "
  names --filter status=created
  assert_eq "$output" "f-new "
  names --filter status=exited --filter status=created
  assert_eq "$output" "f-ex0 f-ex2 f-new f-other "
  names -a --filter name=f-ex
  assert_eq "$output" "f-ex0 f-ex2 "
  names -a --filter 'name=^f-ex2$'
  assert_eq "$output" "f-ex2 "
  names -a --filter id="$(sid f-new | cut -c1-6)"
  assert_eq "$output" "f-new "
  names -a --filter label=tier
  assert_eq "$output" "f-ex0 f-run "
  names -a --filter label=tier=web
  assert_eq "$output" "f-run "
  names -a --filter label=solo --filter label=tier=web
  assert_eq "$output" "f-run "
  names -a --filter label=tier=nope
  assert_eq "$output" ""
  names -a --filter ancestor=other:v1
  assert_eq "$output" "f-other "
  names -a --filter exited=2
  assert_eq "$output" "f-ex2 "
  names -a --filter exited=0
  assert_eq "$output" "f-ex0 f-other "
  run_berth ps --filter status=bogus
  assert_failure
  assert_match "$output" "invalid filter 'status=bogus'"
  run_berth ps --filter nokey=1
  assert_failure
  assert_match "$output" "invalid filter 'nokey'"
}

@test "ps --filter before and since (creation order)" {
  for n in o1 o2 o3 o4; do b create --name "$n" busybox true >/dev/null; done
  run_berth ps -a --filter before=o3 --format '{{.Names}}'
  assert_success
  assert_eq "$output" "$(printf 'o2\no1')"
  run_berth ps -a --filter since=o2 --format '{{.Names}}'
  assert_eq "$output" "$(printf 'o4\no3')"
  run_berth ps -a --filter since=o1 --filter before=o4 --format '{{.Names}}'
  assert_eq "$output" "$(printf 'o3\no2')"
  run_berth ps -a --filter before=nosuch
  assert_failure
  assert_match "$output" "No such container: nosuch"
}

@test "ps --format: table with headers, Go templates, json, labels" {
  id="$(b run -d --name fmt1 --label a=1 --label b=2 busybox sleep 1000)"
  run_berth ps --format 'table {{.ID}}\t{{.Names}}\t{{.Image}}'
  assert_success
  assert_match "${lines[0]}" '^CONTAINER ID +NAMES +IMAGE$'
  assert_match "${lines[1]}" "^${id:0:12} +fmt1 +busybox$"
  run_berth ps --format '{{.Names}}|{{.Command}}|{{.State}}|{{.Label "b"}}|{{.Labels}}'
  assert_match "$output" '^fmt1\|"sleep 1000"\|running\|2\|(a=1,b=2|b=2,a=1)$'
  run_berth ps --format '{{json .}}'
  assert_eq "$(jq -r '.Names + " " + .State + " " + .ID' <<<"$output")" "fmt1 running ${id:0:12}"
  run_berth ps --format '{{.ID | printf "%.4s"}} {{upper .Names}}'
  assert_eq "$output" "${id:0:4} FMT1"
  run_berth ps --format 'table {{.Names}}\t{{.Label "a"}}'
  assert_match "${lines[0]}" '^NAMES +A$|^NAMES +a$'
  assert_match "${lines[1]}" '^fmt1 +1$'
  run_berth ps --format '{{.Nope}}'
  assert_failure
  assert_match "$output" "can't evaluate field Nope"
}

@test "STATUS texts: Created, Up, Up (Paused), Exited (N) … ago" {
  b create --name st-c busybox true >/dev/null
  b run -d --name st-u busybox sleep 1000 >/dev/null
  b run -d --name st-p busybox sleep 1000 >/dev/null
  b run --name st-e busybox sh -c 'exit 42' >/dev/null || true
  b pause st-p >/dev/null
  st() { b ps -a --filter "name=^$1\$" --format '{{.Status}}'; }
  assert_eq "$(st st-c)" "Created"
  assert_match "$(st st-u)" '^Up (Less than a second|[0-9]+ seconds?)$'
  assert_match "$(st st-p)" '^Up (Less than a second|[0-9]+ seconds?) \(Paused\)$'
  assert_match "$(st st-e)" '^Exited \(42\) (Less than a second|[0-9]+ seconds?) ago$'
  run_berth ps -a --format '{{.Names}} {{.State}}'
  assert_match "$output" 'st-p paused'
  assert_match "$output" 'st-c created'
  assert_match "$output" 'st-e exited'
  b unpause st-p >/dev/null
  assert_match "$(st st-p)" '^Up (Less than a second|[0-9]+ seconds?)$'
  # Up counts seconds
  wait_for 10 bash -c "'$BERTH' -H '$HOST' ps --filter name=st-u --format '{{.Status}}' | grep -Eq '^Up [2-9] seconds$'"
}

@test "inspect: container JSON, -f, --type, several names, errors" {
  id="$(b run -d --name ins --label k=v -e FOO=bar busybox sleep 1000)"
  wait_state ins running
  run_berth inspect ins
  assert_success
  assert_eq "$(jq -r '.[0].Id' <<<"$output")" "$id"
  assert_eq "$(jq -r '.[0].Name' <<<"$output")" "/ins"
  assert_eq "$(jq -r '.[0].State.Running' <<<"$output")" true
  assert_eq "$(jq -r '.[0].Config.Labels.k' <<<"$output")" v
  assert_eq "$(jq -r '.[0].Config.Env | index("FOO=bar") != null' <<<"$output")" true
  assert_eq "$(jq -r '.[0].Config.Cmd | join(" ")' <<<"$output")" "sleep 1000"
  assert_eq "$(jq -r '.[0].Image' <<<"$output")" "$(b image inspect -f '{{.Id}}' busybox)"
  run_berth container inspect -f '{{.Name}} {{.State.Status}} {{index .Config.Labels "k"}}' ins
  assert_eq "$output" "/ins running v"
  run_berth inspect -f '{{json .Config.Cmd}}' "${id:0:8}"
  assert_eq "$output" '["sleep","1000"]'
  pid="$(b inspect -f '{{.State.Pid}}' ins)"
  pid_alive "$pid" || fail "State.Pid $pid is not a live process"
  # generic inspect: an image and a container in one call
  run_berth inspect -f '{{.Id}}' busybox ins
  assert_eq "${lines[1]}" "$id"
  assert_match "${lines[0]}" '^sha256:[0-9a-f]{64}$'
  run_berth inspect --type container -f '{{.Name}}' ins
  assert_eq "$output" "/ins"
  run_berth inspect --type image ins
  assert_failure
  assert_match "$output" "No such image: ins"
  # errors: generic and container-only wording, exit 1, found ones still printed
  run_berth inspect nosuch
  assert_status 1
  assert_match "$output" "Error: No such object: nosuch"
  run_berth container inspect nosuch
  assert_status 1
  assert_match "$output" "Error: No such container: nosuch"
  run_berth inspect -f '{{.Name}}' ins nosuch
  assert_status 1
  assert_match "$output" "/ins"
  assert_match "$output" "No such object: nosuch"
  # as docker: a field the type lacks falls back to the raw JSON map
  run_berth inspect -f '{{.Nope}}' ins
  assert_success
  assert_eq "$output" "<no value>"
  run_berth inspect -f '{{.Name' ins
  assert_failure
  assert_match "$output" "Template parsing error"
}

@test "inspect -s: SizeRw and SizeRootFs; stopped container state" {
  b run --name ins2 busybox sh -c 'echo 12345 > /f; exit 4' >/dev/null || true
  run_berth inspect -s ins2
  assert_success
  rw="$(jq -r '.[0].SizeRw' <<<"$output")"
  root="$(jq -r '.[0].SizeRootFs' <<<"$output")"
  (( rw >= 6 && rw < 4096 * 4 )) || fail "SizeRw $rw"
  (( root > rw + 100000 )) || fail "SizeRootFs $root not the image size plus $rw"
  run_berth inspect ins2
  assert_eq "$(jq -r '.[0] | has("SizeRw")' <<<"$output")" false
  run_berth inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}} {{.State.Pid}}' ins2
  assert_eq "$output" "exited 4 false 0"
  run_berth inspect -f '{{.State.FinishedAt}}' ins2
  assert_match "$output" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T'
}

@test "top: default columns, ps arguments, not running" {
  b run -d --name tp busybox sh -c 'sleep 1001' >/dev/null
  wait_state tp running
  run_berth top tp
  assert_success
  assert_match "${lines[0]}" '^UID +PID +PPID +C +STIME +TTY +TIME +CMD$'
  assert_match "$output" 'sleep 1001'
  pid="$(b inspect -f '{{.State.Pid}}' tp)"
  assert_match "$output" "root +$pid "
  run_berth top tp -o pid,comm
  assert_success
  assert_match "${lines[0]}" '^ *PID +COMMAND$'
  assert_match "$output" "$pid +sleep"
  run_berth top tp aux
  assert_match "${lines[0]}" '^USER +PID +%CPU +%MEM'
  b stop -t 0 tp >/dev/null
  run_berth top tp
  assert_failure
  assert_match "$output" "is not running"
}

@test "rename: new name everywhere, old name gone, conflicts" {
  id="$(b run -d --name old1 busybox sleep 1000)"
  b create --name taken busybox true >/dev/null
  run_berth rename old1 new1
  assert_success
  assert_eq "$output" ""
  assert_eq "$(b inspect -f '{{.Name}}' "$id")" "/new1"
  run_berth inspect old1
  assert_failure
  run_berth ps --format '{{.Names}}'
  assert_eq "$output" "new1"
  run_berth rename new1 taken
  assert_failure
  assert_match "$output" 'Conflict. The container name "/taken" is already in use'
  run_berth rename new1 new1
  assert_failure
  assert_match "$output" "Renaming a container with the same name as its current name"
  run_berth rename nosuch xy
  assert_failure
  assert_match "$output" "No such container: nosuch"
  run_berth rename new1 'bad name!'
  assert_failure
  assert_match "$output" "Invalid container name"
  # the old name is free again
  run_berth create --name old1 busybox true
  assert_success
}

@test "wait on several containers prints each exit code in order" {
  b run -d --name w1 busybox sh -c 'sleep 1; exit 3' >/dev/null
  b run -d --name w2 busybox sh -c 'exit 5' >/dev/null
  b run -d --name w3 busybox sh -c 'sleep 0.5; exit 0' >/dev/null
  run_berth wait w1 w2 w3
  assert_success
  assert_eq "$output" "$(printf '3\n5\n0')"
  # as docker: the codes of those found, the errors after them
  run_berth wait w2 nosuch w3
  assert_status 1
  assert_eq "${lines[0]}" 5
  assert_eq "${lines[1]}" 0
  assert_match "${lines[2]}" "No such container: nosuch"
}

@test "rm: several, -f running, -v, errors" {
  b create --name r1 busybox true >/dev/null
  b create --name r2 busybox true >/dev/null
  run_berth rm r1 r2
  assert_success
  assert_eq "$output" "$(printf 'r1\nr2')"
  b run -d --name r3 busybox sleep 1000 >/dev/null
  wait_state r3 running
  pid="$(b inspect -f '{{.State.Pid}}' r3)"
  id="$(b inspect -f '{{.Id}}' r3)"
  run_berth rm -f -v r3
  assert_success
  assert_eq "$output" "r3"
  wait_for 10 pid_gone "$pid"
  [[ ! -d "$DATA/containers/$id" ]] || fail "container dir left behind"
  run_berth rm nosuch
  assert_status 1
  assert_match "$output" "Error: No such container: nosuch"
}

@test "rm -v removes the container's anonymous volumes" {
  run_berth run --name rv -v /anon busybox sh -c 'echo x > /anon/f'
  assert_success
  vol="$(b inspect -f '{{range .Mounts}}{{.Name}}{{end}}' rv)"
  [[ -n "$vol" ]] || fail "no volume recorded in Mounts"
  run_berth rm -v rv
  assert_success
  run_berth volume inspect "$vol"
  assert_failure
}
