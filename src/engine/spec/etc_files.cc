// The default /etc/hosts and /etc/resolv.conf of a container, as Docker's
// libnetwork writes them.
#include "base/strings.h"
#include "engine/spec/spec_builder.h"

namespace berth::engine {
namespace {

// The address of a "nameserver <addr>" line, or "" for any other line.
std::string Nameserver(std::string_view line) {
  std::string_view t = str::Trim(line);
  if (!str::StartsWith(t, "nameserver")) return "";
  std::string_view rest = t.substr(10);
  if (rest.empty() || (rest[0] != ' ' && rest[0] != '\t')) return "";
  return std::string(str::Trim(rest));
}

bool Loopback(const std::string& addr) { return str::StartsWith(addr, "127.") || addr == "::1"; }

// The words after `keyword` on its last line ("search", "options").
std::vector<std::string> LastWords(const std::string& text, std::string_view keyword) {
  std::vector<std::string> out;
  for (const std::string& line : str::Split(text, '\n')) {
    std::string_view t = str::Trim(line);
    if (!str::StartsWith(t, keyword) || t.size() == keyword.size()) continue;
    if (t[keyword.size()] != ' ' && t[keyword.size()] != '\t') continue;
    out.clear();
    std::string words(t.substr(keyword.size()));
    for (char& c : words)
      if (c == '\t') c = ' ';
    for (const std::string& w : str::Split(words, ' '))
      if (!w.empty()) out.push_back(w);
  }
  return out;
}

}  // namespace

std::string HostsFile(const std::string& hostname, const std::string& ip,
                      const std::vector<std::string>& extra_hosts) {
  std::string out =
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "ff00::0\tip6-mcastprefix\n"
      "ff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n";
  for (const std::string& e : extra_hosts) {
    bool found = false;
    auto [name, addr] = str::Cut(e, ':', &found);  // the address may hold ':' (IPv6)
    if (!found) continue;
    out += addr + "\t" + name + "\n";
  }
  if (!ip.empty()) out += ip + "\t" + hostname + "\n";
  return out;
}

std::string ResolvConf(const std::string& host_resolv_conf, const std::vector<std::string>& dns,
                       const std::vector<std::string>& dns_search,
                       const std::vector<std::string>& dns_options) {
  std::vector<std::string> host_ns;
  for (const std::string& line : str::Split(host_resolv_conf, '\n')) {
    std::string ns = Nameserver(line);
    if (!ns.empty() && !Loopback(ns)) host_ns.push_back(ns);
  }
  if (!dns.empty() || !dns_search.empty() || !dns_options.empty()) {
    std::vector<std::string> servers = dns.empty() ? host_ns : dns;
    if (servers.empty()) servers = {"8.8.8.8", "8.8.4.4"};
    std::vector<std::string> search =
        dns_search.empty() ? LastWords(host_resolv_conf, "search") : dns_search;
    std::vector<std::string> options =
        dns_options.empty() ? LastWords(host_resolv_conf, "options") : dns_options;
    std::string out;
    std::string s = str::Join(search, " ");
    if (!search.empty() && str::Trim(s) != ".") out += "search " + s + "\n";
    for (const std::string& n : servers) out += "nameserver " + n + "\n";
    std::string o = str::Join(options, " ");
    if (!str::Trim(o).empty()) out += "options " + o + "\n";
    return out;
  }
  // The host's file with its loopback nameservers blanked out (they cannot
  // be reached from the container's network namespace).
  std::string out;
  std::vector<std::string> lines = str::Split(host_resolv_conf, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string ns = Nameserver(lines[i]);
    if (!(ns.empty() || !Loopback(ns))) lines[i].clear();
    out += lines[i];
    if (i + 1 < lines.size()) out += "\n";
  }
  if (host_ns.empty()) {
    if (!out.empty() && out.back() != '\n') out += "\n";
    out += "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n";
  }
  return out;
}

}  // namespace berth::engine
