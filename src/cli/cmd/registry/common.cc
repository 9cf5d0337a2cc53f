#include "cli/cmd/registry/common.h"

#include <sys/ioctl.h>

#include "cli/config_file.h"

namespace berth::cli {

std::string RegistryAuthFor(const std::string& server_key) {
  auto cfg = ConfigFile::Load(ConfigFile::DefaultDir());
  if (!cfg.ok()) return "";
  return EncodeRegistryAuth(cfg->Get(server_key));
}

ProgressDisplay MakeDisplay(Cli& cli) {
  bool tty = cli.OutIsTerminal();
  int width = 80;
  struct winsize ws {};
  if (tty && ::ioctl(cli.out_fd(), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) width = ws.ws_col;
  return ProgressDisplay([&cli](std::string_view s) { cli.Out(s); }, tty, width);
}

}  // namespace berth::cli
