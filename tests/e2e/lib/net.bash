# Networking of a test daemon: every berthd a suite starts gets its own
# bridge (<= 15 characters), subnet and nftables table, so suites running at
# the same time never share one; net_teardown removes them even when the
# daemon died without cleaning up.
#
# net_setup DIR: picks them once per DIR (kept in DIR/net.env, so a daemon
# restarted on the same roots gets the same) and exports BRIDGE, BIP,
# SUBNET_PREFIX (e.g. 10.123.45), NFT_TABLE and BERTHD_NET_FLAGS.

NET_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NFT_PY="$NET_LIB_DIR/nft.py"

net_setup() {
  local dir="$1"
  if [[ ! -f "$dir/net.env" ]]; then
    local suffix i a b used
    suffix="$(basename "$dir" | tr -cd 'a-zA-Z0-9' | tail -c 8)"
    used="$(ip -4 -o addr show 2>/dev/null; ip -4 route show 2>/dev/null)"
    for i in $(seq 1 50); do
      a=$((100 + RANDOM % 100)) b=$((RANDOM % 256))
      [[ "$used" == *"10.$a.$b."* ]] || break
    done
    {
      echo "BRIDGE=bt$suffix"
      echo "SUBNET_PREFIX=10.$a.$b"
      echo "BIP=10.$a.$b.1/24"
      echo "NFT_TABLE=berth_bt$suffix"
    } >"$dir/net.env"
  fi
  source "$dir/net.env"
  export BRIDGE SUBNET_PREFIX BIP NFT_TABLE
  # The embedded DNS forwards nowhere unless a test gives it a fake
  # upstream on loopback (BERTHD_DNS_UPSTREAM): no test query leaves the host.
  export BERTHD_NET_FLAGS="--bridge $BRIDGE --bip $BIP --nft-table $NFT_TABLE --dns-upstream ${BERTHD_DNS_UPSTREAM:-none}"
}

# net_teardown DIR: the bridge, the table and any veth of ours left behind.
net_teardown() {
  local dir="$1"
  [[ -f "$dir/net.env" ]] || return 0
  source "$dir/net.env"
  /usr/bin/python3 "$NFT_PY" "delete table ip $NFT_TABLE" >/dev/null 2>&1 || true
  local v
  for v in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link del "$v" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
}

# nft_table_text: the daemon's table as nft lists it ("" when absent).
nft_table_text() {
  /usr/bin/python3 "$NFT_PY" "list table ip $NFT_TABLE" 2>/dev/null || true
}

# net_leftovers: prints what a stopped set of containers left behind: veths
# on the bridge, namespaces under the exec root, published-port elements and
# IP allocations in the saved state. Empty when clean.
net_leftovers() {
  local exec_root="$1" data_root="$2"
  ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print "veth " $2}'
  ls "$exec_root/netns" 2>/dev/null | sed 's/^/netns /'
  nft_table_text | grep -E ' : [0-9.]+ \. [0-9]+' | sed 's/^/nft /'
  [[ -f "$data_root/network/bridge.json" ]] &&
    jq -r '.IPAM.Allocated | keys[] | "ip " + .' "$data_root/network/bridge.json" 2>/dev/null
  return 0
}
