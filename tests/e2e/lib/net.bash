# Networking of a test daemon: every berthd a suite starts gets its own
# bridge (<= 15 characters), subnet and nftables table, so suites running at
# the same time never share one; net_teardown removes them even when the
# daemon died without cleaning up.
#
# net_setup DIR: picks them once per DIR (kept in DIR/net.env, so a daemon
# restarted on the same roots gets the same) and exports BRIDGE, BIP,
# SUBNET_PREFIX (e.g. 10.123.45), NFT_TABLE, POOL (the daemon's
# --default-address-pool: a /24 cut in /28s for user-defined networks made
# without --subnet), USER_PREFIX (a free 10.x.y for tests that give
# --subnet 10.x.y.0/24 themselves) and BERTHD_NET_FLAGS.

NET_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NFT_PY="$NET_LIB_DIR/nft.py"

net_setup() {
  local dir="$1"
  if [[ ! -f "$dir/net.env" ]]; then
    local suffix i used p
    local -a picks=()
    suffix="$(basename "$dir" | tr -cd 'a-zA-Z0-9' | tail -c 8)"
    used="$(ip -4 -o addr show 2>/dev/null; ip -4 route show 2>/dev/null)"
    while ((${#picks[@]} < 3)); do
      for i in $(seq 1 50); do
        p="10.$((100 + RANDOM % 100)).$((RANDOM % 256))"
        [[ "$used" == *"$p."* || " ${picks[*]} " == *" $p "* ]] || break
      done
      picks+=("$p")
    done
    {
      echo "BRIDGE=bt$suffix"
      echo "SUBNET_PREFIX=${picks[0]}"
      echo "BIP=${picks[0]}.1/24"
      echo "NFT_TABLE=berth_bt$suffix"
      echo "POOL=${picks[1]}.0/24"
      echo "USER_PREFIX=${picks[2]}"
    } >"$dir/net.env"
  fi
  source "$dir/net.env"
  export BRIDGE SUBNET_PREFIX BIP NFT_TABLE POOL USER_PREFIX
  # The embedded DNS forwards nowhere unless a test gives it a fake
  # upstream on loopback (BERTHD_DNS_UPSTREAM): no test query leaves the host.
  export BERTHD_NET_FLAGS="--bridge $BRIDGE --bip $BIP --nft-table $NFT_TABLE --dns-upstream ${BERTHD_DNS_UPSTREAM:-none}"
  [[ -z "${POOL:-}" ]] || BERTHD_NET_FLAGS+=" --default-address-pool base=$POOL,size=28"
}

# net_teardown DIR: the bridges (the default one and those of user-defined
# networks in DIR/data's state), the table and any veth of ours left behind.
net_teardown() {
  local dir="$1"
  [[ -f "$dir/net.env" ]] || return 0
  source "$dir/net.env"
  /usr/bin/python3 "$NFT_PY" "delete table ip $NFT_TABLE" >/dev/null 2>&1 || true
  local v br f
  local -a bridges=("$BRIDGE")
  for f in "$dir"/data/network/networks/*.json; do
    [[ -f "$f" ]] && bridges+=("$(jq -r .Bridge "$f" 2>/dev/null)")
  done
  for br in "${bridges[@]}"; do
    [[ -n "$br" && "$br" != null ]] || continue
    for v in $(ip -o link show master "$br" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
      ip link del "$v" 2>/dev/null || true
    done
    ip link del "$br" 2>/dev/null || true
  done
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
  # User-defined networks: the network itself (a test removes its own), its
  # veths and allocations.
  local f
  for f in "$data_root"/network/networks/*.json; do
    [[ -f "$f" ]] || continue
    jq -r '"network " + .Name + " (bridge " + .Bridge + ")"' "$f" 2>/dev/null
    ip -o link show master "$(jq -r .Bridge "$f")" 2>/dev/null | awk -F': ' '{print "veth " $2}'
    jq -r '.IPAM.Allocated | keys[] | "ip " + .' "$f" 2>/dev/null
  done
  return 0
}
