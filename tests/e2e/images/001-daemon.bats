#!/usr/bin/env bats
# berthd: start and stop, one daemon per root, sockets and their permissions,
# TCP policy, the API's fixed points (/_ping, versions, errors), and the CLI's
# connection errors.

load helpers

@test "berthd serves /_ping with API headers; pidfile and socket 0660" {
  start_berthd
  run curl -s -i --unix-socket "$SOCK" http://d/_ping
  assert_match "$output" "HTTP/1.1 200"
  assert_match "$output" $'API-Version: 1.41\r'
  assert_match "$output" "OSType: linux"
  assert_match "$output" "OK"
  assert_eq "$(cat "$EXEC/berthd.pid")" "$BERTHD_PID" "pidfile"
  assert_eq "$(stat -c %a "$SOCK")" 660 "socket mode"
  assert_eq "$(stat -c %U "$SOCK")" root "socket owner"
  if getent group berth >/dev/null; then
    assert_eq "$(stat -c %G "$SOCK")" berth "socket group"
  fi
}

@test "versioned paths from v1.24 to v1.41 reach the same handlers; too new is refused" {
  start_berthd
  local v
  for v in v1.24 v1.30 v1.41; do
    run api GET "/$v/version"
    assert_eq "${lines[-1]}" 200 "GET /$v/version"
    assert_match "$output" '"ApiVersion": ?"1.41"'
  done
  run api GET /v1.41/images/json
  assert_eq "${lines[-1]}" 200 "images/json"
  assert_eq "${lines[0]}" "[]" "no images yet"
  run api GET /v1.99/version
  assert_eq "${lines[-1]}" 400 "a version newer than 1.41"
  assert_match "${lines[0]}" '"message"'
}

@test "errors use Docker's JSON shape and status codes" {
  start_berthd
  run api GET /v1.41/images/nope/json
  assert_eq "${lines[-1]}" 404
  assert_eq "$(jq -r .message <<<"${lines[0]}")" "No such image: nope:latest"
  run api GET /v1.41/no/such/route
  assert_eq "${lines[-1]}" 404
  run api POST "/v1.41/images/create?fromImage=busybox&tag=latest"
  assert_ne "${lines[-1]}" 200 "pull is not implemented offline"
  jq -e .message <<<"${lines[0]}" >/dev/null || fail "not JSON: ${lines[0]}"
}

@test "SIGTERM stops berthd cleanly: exit 0, socket and pidfile removed" {
  start_berthd
  [[ -S "$SOCK" && -f "$EXEC/berthd.pid" ]] || fail "socket or pidfile missing"
  kill -TERM "$BERTHD_PID"
  wait_for 20 pid_gone "$BERTHD_PID"
  run wait "$BERTHD_PID"
  assert_status 0 "berthd exit status after SIGTERM"
  [[ ! -e "$SOCK" ]] || fail "socket left behind"
  [[ ! -e "$EXEC/berthd.pid" ]] || fail "pidfile left behind"
  grep -q "shutting down" "$TESTDIR/berthd.log" || fail "no shutdown message: $(cat "$TESTDIR/berthd.log")"
}

@test "SIGINT stops berthd cleanly; a restart on the same roots keeps the images" {
  start_berthd
  make_busybox
  local id="$BUSYBOX_ID"
  kill -INT "$BERTHD_PID"
  wait_for 20 pid_gone "$BERTHD_PID"
  run wait "$BERTHD_PID"
  assert_status 0 "berthd exit status after SIGINT"
  [[ ! -e "$SOCK" ]] || fail "socket left behind"
  start_berthd
  run_berth images -q --no-trunc
  assert_success
  assert_eq "$output" "$id" "images after restart"
}

@test "a second berthd on the same roots is refused; the first keeps serving" {
  start_berthd
  run_cmd "$BERTHD" --data-root "$DATA" --exec-root "$EXEC" -H "unix://$TESTDIR/second.sock" --bridge=none --discovery-addr none
  assert_status 1 "second berthd"
  assert_output_has "berthd is already running with data root $DATA (pid $BERTHD_PID)"
  # the same data root with another exec root is refused as well
  mkdir -p "$TESTDIR/exec2"
  run_cmd "$BERTHD" --data-root "$DATA" --exec-root "$TESTDIR/exec2" -H "unix://$TESTDIR/second.sock" --bridge=none --discovery-addr none
  assert_status 1 "second berthd, other exec root"
  assert_error_mentions "already running"
  [[ ! -e "$TESTDIR/second.sock" ]] || fail "the refused daemon left a socket"
  ping "$SOCK" || fail "the first berthd stopped answering"
  assert_eq "$(cat "$EXEC/berthd.pid")" "$BERTHD_PID" "pidfile of the first daemon"
}

@test "after SIGKILL a new berthd starts on the same roots (stale socket and pidfile)" {
  start_berthd
  kill -KILL "$BERTHD_PID"
  wait_for 10 pid_gone "$BERTHD_PID"
  start_berthd
  ping "$SOCK"
  assert_eq "$(cat "$EXEC/berthd.pid")" "$BERTHD_PID" "pidfile rewritten"
}

@test "plain TCP is refused without --insecure-tcp; allowed with it and a warning" {
  local port
  port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  mkdir -p "$DATA" "$EXEC"
  run_cmd "$BERTHD" --data-root "$DATA" --exec-root "$EXEC" -H "$HOST" -H "tcp://127.0.0.1:$port" --bridge=none --discovery-addr none
  assert_status 1 "berthd with plain tcp"
  assert_error_mentions "tlsverify"
  assert_error_mentions "insecure-tcp"
  [[ ! -e "$SOCK" ]] || fail "the refused daemon left its unix socket"

  start_berthd -H "tcp://127.0.0.1:$port" --insecure-tcp
  grep -qi "warn" "$TESTDIR/berthd.log" || fail "no warning logged for plain TCP: $(cat "$TESTDIR/berthd.log")"
  run_cmd "$BERTH" -H "tcp://127.0.0.1:$port" version --format '{{.Server.APIVersion}}'
  assert_success
  assert_eq "$output" "1.41"
}

@test "berth reports a daemon that is not running: Docker's message, exit 1" {
  run_cmd "$BERTH" -H "unix://$TESTDIR/nothing.sock" images
  assert_status 1
  assert_eq "$output" "Cannot connect to the berth daemon at unix://$TESTDIR/nothing.sock. Is berthd running?"
  BERTH_HOST="unix://$TESTDIR/nothing.sock" run_cmd "$BERTH" version
  assert_status 1
  assert_output_has "Cannot connect to the berth daemon at unix://$TESTDIR/nothing.sock. Is berthd running?"
}

@test "the default host is unix:///run/berth/berth.sock" {
  if ping /run/berth/berth.sock; then
    skip "a berthd is running at the default socket"
  fi
  run_cmd env -u BERTH_HOST -u DOCKER_HOST "$BERTH" images
  assert_status 1
  assert_eq "$output" "Cannot connect to the berth daemon at unix:///run/berth/berth.sock. Is berthd running?"
}

@test "-H and BERTH_HOST pick the daemon; -H wins over BERTH_HOST" {
  start_berthd
  BERTH_HOST="$HOST" run_cmd "$BERTH" version --format '{{.Server.Version}}'
  assert_success
  assert_ne "$output" ""
  BERTH_HOST="unix://$TESTDIR/nothing.sock" run_cmd "$BERTH" -H "$HOST" info --format '{{.DockerRootDir}}'
  assert_success
  assert_eq "$output" "$DATA"
  BERTH_HOST="$HOST" run_cmd "$BERTH" -H "unix://$TESTDIR/nothing.sock" images
  assert_status 1
  assert_error_mentions "nothing.sock"
}

@test "a user outside the socket's group gets permission denied with a hint; a member works" {
  local user="bte$$" group="btg$$"
  groupadd "$group"
  defer "groupdel $group"
  useradd -M -N -s /bin/sh "$user"
  defer "userdel $user"
  start_berthd --group "$group"
  assert_eq "$(stat -c %G "$SOCK")" "$group" "socket group"
  run_cmd su -s /bin/sh "$user" -c "$BERTH -H $HOST images"
  assert_status 1 "outsider"
  assert_error_mentions "permission denied"
  assert_error_mentions "group"
  usermod -a -G "$group" "$user"
  run_cmd su -s /bin/sh "$user" -c "$BERTH -H $HOST images"
  assert_success "group member"
  assert_match "${lines[0]}" "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE"
}

@test "config file: settings apply; a setting given twice is an error" {
  mkdir -p "$DATA" "$EXEC"
  cat >"$TESTDIR/daemon.json" <<EOF
{"data-root": "$DATA", "exec-root": "$EXEC", "hosts": ["$HOST"], "log-level": "debug", "bridge": "none", "discovery-addr": "none"}
EOF
  "$BERTHD" --config-file "$TESTDIR/daemon.json" </dev/null >>"$TESTDIR/berthd.log" 2>&1 3>&- &
  BERTHD_PID=$!
  _DAEMON_PIDS+=("$BERTHD_PID")
  wait_for_ping "$SOCK" "$BERTHD_PID" 20 || fail "berthd with a config file: $(cat "$TESTDIR/berthd.log")"
  stop_berthd
  run_cmd "$BERTHD" --config-file "$TESTDIR/daemon.json" --data-root "$TESTDIR/other"
  assert_status 1
  assert_error_mentions "both as a flag and in the configuration file"
  echo '{"no-such-key": 1}' >"$TESTDIR/bad.json"
  run_cmd "$BERTHD" --config-file "$TESTDIR/bad.json" --data-root "$DATA" --exec-root "$EXEC" --bridge=none --discovery-addr none
  assert_status 1
  assert_error_mentions "no-such-key"
}

@test "version and info: Docker's sections and fields" {
  start_berthd
  run_berth version
  assert_success
  assert_match "$output" "Client:"
  assert_match "$output" "Server:"
  assert_match "$output" "API version: +1.41"
  run_berth version --format '{{json .}}'
  assert_success
  jq -e '.Client.ApiVersion and .Server.ApiVersion == "1.41"' <<<"$output" >/dev/null \
    || fail "version json: $output"
  run_berth info --format '{{.Images}} {{.Driver}} {{.DockerRootDir}} {{.OSType}}'
  assert_success
  assert_eq "$output" "0 overlay2 $DATA linux"
  make_busybox
  run_berth info --format '{{.Images}}'
  assert_eq "$output" 1 "Images after an import"
  run_berth info
  assert_success
  assert_match "$output" "Images: 1"
  assert_match "$output" "Docker Root Dir: $DATA"
}
