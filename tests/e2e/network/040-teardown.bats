#!/usr/bin/env bats
# What a container's networking leaves behind when it stops or when its
# start fails: published-port elements, veths on the bridge, namespaces.

load helpers

setup_file() { net_setup_file; }
teardown_file() { net_teardown_file; }
teardown() { net_test_teardown; }

# free_range N: the first of N consecutive TCP ports free on the host now.
free_range() {
  /usr/bin/python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(20000, 60000 - n)
    held = []
    try:
        for p in range(base, base + n):
            s = socket.socket()
            s.bind(("0.0.0.0", p))
            held.append(s)
    except OSError:
        continue
    finally:
        for s in held:
            s.close()
    print(base)
    sys.exit(0)
sys.exit(1)
PY
}

# port_elements LO HI: the table's port elements with a host port in LO..HI.
port_elements() {
  nft_table_text | grep -oE 'tcp \. [0-9]+ : [0-9.]+ \. [0-9]+' |
    awk -v lo="$1" -v hi="$2" '$3 >= lo && $3 <= hi'
}

@test "stop removes all of a 20-port range from the ports map, even with one element already gone" {
  lo="$(free_range 20)"
  hi=$((lo + 19))
  b run -d --name range -p "$lo-$hi:8000-8019" busybox sleep 1000 >/dev/null
  assert_eq "$(port_elements "$lo" "$hi" | wc -l)" 20 "published elements"
  b stop -t 0 range >/dev/null
  assert_eq "$(port_elements "$lo" "$hi")" "" "elements left after stop"

  # One element removed behind berthd's back: the one-transaction delete
  # fails, the per-element fallback still removes the other 19.
  b start range >/dev/null
  assert_eq "$(port_elements "$lo" "$hi" | wc -l)" 20 "published elements after restart"
  ip="$(container_ip range)"
  /usr/bin/python3 "$NFT_PY" "delete element ip $NFT_TABLE ports { tcp . $lo }" ||
    fail "could not delete the element by hand"
  b stop -t 0 range >/dev/null
  assert_eq "$(port_elements "$lo" "$hi")" "" "elements left after stop"
  run grep -F "delete port 0.0.0.0:$lo/tcp -> $ip:8000" "$CTDIR/berthd.log"
  assert_success "warning naming the element that could not be deleted"
  assert_match "$output" "$(b inspect --format '{{.Id}}' range)"
}

@test "a start failing at its mounts sets up no network: no veth, no namespace, the phase in the error" {
  touch "$CTDIR/afile"
  run_berth run -d --name badbind -v "$CTDIR/afile/sub:/data" busybox sleep 100
  assert_failure
  assert_match "$output" "start container badbind: set up mounts: create bind source $CTDIR/afile/sub"
  assert_ne "$(state badbind)" running
  assert_eq "$(ip -o link show master "$BRIDGE" 2>/dev/null)" "" "veths on $BRIDGE"
  assert_eq "$(ls "$EXEC/netns")" "" "namespaces under $EXEC/netns"
}

@test "a start failing at its volume mount leaves nothing either" {
  b volume create --opt type=tmpfs --opt device=tmpfs --opt o=nosuchoption badvol >/dev/null
  run_berth run -d --name badvol -v badvol:/data busybox sleep 100
  assert_failure
  # docker's own words for a volume that does not mount
  assert_match "$output" "error while mounting volume"
  assert_eq "$(ip -o link show master "$BRIDGE" 2>/dev/null)" "" "veths on $BRIDGE"
  assert_eq "$(ls "$EXEC/netns")" "" "namespaces under $EXEC/netns"
  b rm badvol >/dev/null
  b volume rm badvol >/dev/null
}
