// berth: Docker's command line for berthd (see cli/cli.h).
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  berth::cli::Env env;
  if (const char* h = std::getenv("BERTH_HOST")) env.berth_host = h;
  return berth::cli::Main(args, berth::cli::Streams{}, env);
}
