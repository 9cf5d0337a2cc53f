// berth-runtime's commands: one function per verb, each parsing its own
// flags and returning the process exit status.
#pragma once

#include <string>
#include <vector>

#include "runtime/runtime.h"

namespace berth::cli {

using Argv = std::vector<std::string>;

// Prints the error (and logs it) and returns the exit status for it.
int Fail(const Error& e);

int CmdCreate(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdRun(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdStart(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdDelete(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdKill(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdState(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdList(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdPs(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdPause(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdResume(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdExec(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdSpec(const runtime::GlobalOptions& g, const Argv& args, size_t at);
int CmdFeatures(const runtime::GlobalOptions& g, const Argv& args, size_t at);

}  // namespace berth::cli
