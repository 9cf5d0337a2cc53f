#include "network/nft.h"

#include <nftables/libnftables.h>

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::network {
namespace {

std::string Element(const PortMapping& p, bool with_value) {
  std::string key = p.host_ip.v == 0
                        ? fmt::format("{} . {}", p.proto, p.host_port)
                        : fmt::format("{} . {} . {}", ToString(p.host_ip), p.proto, p.host_port);
  if (!with_value) return key;
  return fmt::format("{} : {} . {}", key, ToString(p.container_ip), p.container_port);
}

// "add element ..." lines for the two maps.
std::string Elements(const std::string& verb, const std::string& table,
                     const std::vector<PortMapping>& ports, bool with_value) {
  std::vector<std::string> any, ip;
  for (const PortMapping& p : ports) (p.host_ip.v == 0 ? any : ip).push_back(Element(p, with_value));
  std::string out;
  if (!any.empty())
    out += fmt::format("{} element ip {} ports {{ {} }}\n", verb, table, str::Join(any, ", "));
  if (!ip.empty())
    out += fmt::format("{} element ip {} ipports {{ {} }}\n", verb, table, str::Join(ip, ", "));
  return out;
}

}  // namespace

std::string TableScript(const std::string& table, const std::vector<NatNetwork>& networks,
                        const std::vector<PortMapping>& ports) {
  std::string post, fwd;
  // Isolation: no bridge forwards to another of berth's.
  for (const NatNetwork& n : networks) {
    std::vector<std::string> others;
    for (const NatNetwork& o : networks)
      if (o.bridge != n.bridge) others.push_back("\"" + o.bridge + "\"");
    if (!others.empty())
      fwd += fmt::format("    iifname \"{}\" oifname {{ {} }} drop\n", n.bridge,
                         str::Join(others, ", "));
  }
  for (const NatNetwork& n : networks) {
    if (n.internal) {
      fwd += fmt::format("    iifname \"{0}\" oifname != \"{0}\" drop\n", n.bridge);
      fwd += fmt::format("    oifname \"{0}\" iifname != \"{0}\" drop\n", n.bridge);
    } else {
      post += fmt::format("    ip saddr {} oifname != \"{}\" masquerade\n", ToString(n.subnet),
                          n.bridge);
    }
    post += fmt::format("    oifname \"{}\" ip saddr 127.0.0.0/8 masquerade\n", n.bridge);
    post += fmt::format("    iifname \"{0}\" oifname \"{0}\" ct status dnat masquerade\n", n.bridge);
  }
  std::string s = fmt::format(
      "table ip {0} {{}}\n"
      "delete table ip {0}\n"
      "table ip {0} {{\n"
      "  map ports {{ type inet_proto . inet_service : ipv4_addr . inet_service; }}\n"
      "  map ipports {{ type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }}\n"
      "  chain ports {{\n"
      "    dnat ip to ip daddr . meta l4proto . th dport map @ipports\n"
      "    dnat ip to meta l4proto . th dport map @ports\n"
      "  }}\n"
      "  chain prerouting {{\n"
      "    type nat hook prerouting priority dstnat; policy accept;\n"
      "    fib daddr type local jump ports\n"
      "  }}\n"
      "  chain output {{\n"
      "    type nat hook output priority -100; policy accept;\n"
      "    fib daddr type local jump ports\n"
      "  }}\n"
      "  chain postrouting {{\n"
      "    type nat hook postrouting priority srcnat; policy accept;\n"
      "{1}"
      "  }}\n"
      "  chain forward {{\n"
      "    type filter hook forward priority filter; policy accept;\n"
      "{2}"
      "  }}\n"
      "}}\n",
      table, post, fwd);
  return s + Elements("add", table, ports, true);
}

std::string AddPortsScript(const std::string& table, const std::vector<PortMapping>& ports) {
  return Elements("add", table, ports, true);
}

std::string DeletePortsScript(const std::string& table, const std::vector<PortMapping>& ports) {
  return Elements("delete", table, ports, false);
}

std::string DeleteTableScript(const std::string& table) {
  return fmt::format("table ip {0} {{}}\ndelete table ip {0}\n", table);
}

Nft::Nft() {
  ctx_ = nft_ctx_new(NFT_CTX_DEFAULT);
  if (ctx_) {
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
  }
}

Nft::~Nft() {
  if (ctx_) nft_ctx_free(ctx_);
}

Result<std::string> Nft::Run(const std::string& script) {
  std::lock_guard lock(mu_);
  if (!ctx_) return Error::Internal("nftables: no context");
  if (script.empty()) return std::string();
  int rc = nft_run_cmd_from_buffer(ctx_, script.c_str());
  std::string out = nft_ctx_get_output_buffer(ctx_);
  std::string err = nft_ctx_get_error_buffer(ctx_);
  if (rc != 0) return Error::Internal("nftables: " + std::string(str::Trim(err)));
  return out;
}

}  // namespace berth::network
