#include "cli/command.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::cli {

Command::Command() {
  flags.Bool(&help, "help", 0, false, "Print usage").hidden = true;
}

Command* Command::Add(std::unique_ptr<Command> child) {
  child->parent = this;
  children.push_back(std::move(child));
  return children.back().get();
}

std::string Command::Name() const { return str::Cut(use, ' ').first; }

std::string Command::Path() const {
  if (parent == nullptr) return Name();
  return parent->Path() + " " + Name();
}

std::string Command::UseLine() const {
  if (parent == nullptr) return use;
  return parent->Path() + " " + use;
}

Command* Command::Find(const std::string& name) const {
  for (const auto& c : children) {
    if (c->Name() == name) return c.get();
    for (const auto& a : c->aliases)
      if (a == name) return c.get();
  }
  return nullptr;
}

std::string Command::Help() const {
  std::string out = "\nUsage:  ";
  if (children.empty()) out += UseLine();
  else out += Path() + (flags.HasVisible() ? " [OPTIONS]" : "") + " COMMAND";
  out += "\n\n" + short_desc + "\n";
  if (!aliases.empty()) {
    out += "\nAliases:\n  " + Name();
    for (const auto& a : aliases) out += ", " + a;
    out += "\n";
  }
  if (flags.HasVisible()) {
    std::string usages = flags.Usages();
    while (!usages.empty() && usages.back() == '\n') usages.pop_back();
    out += "\nOptions:\n" + usages + "\n";
  }
  std::vector<const Command*> mgmt, ops;
  size_t maxlen = 11;
  for (const auto& c : children) {
    if (c->hidden) continue;
    (c->children.empty() ? ops : mgmt).push_back(c.get());
    maxlen = std::max(maxlen, c->Name().size());
  }
  auto by_name = [](const Command* a, const Command* b) { return a->Name() < b->Name(); };
  std::sort(mgmt.begin(), mgmt.end(), by_name);
  std::sort(ops.begin(), ops.end(), by_name);
  auto list = [&](const char* title, const std::vector<const Command*>& cmds) {
    if (cmds.empty()) return;
    out += fmt::format("\n{}:\n", title);
    for (const Command* c : cmds) out += fmt::format("  {:<{}} {}\n", c->Name(), maxlen, c->short_desc);
  };
  list("Management Commands", mgmt);
  list("Commands", ops);
  if (!children.empty())
    out += fmt::format("\nRun '{} COMMAND --help' for more information on a command.\n", Path());
  return out;
}

Status Command::CheckArgs(const std::vector<std::string>& args) const {
  int n = static_cast<int>(args.size());
  auto plural = [](int k) { return k == 1 ? "argument" : "arguments"; };
  std::string what;
  if (max_args == 0 && n > 0) {
    if (!children.empty()) {
      std::string h = Help();
      while (!h.empty() && h.back() == '\n') h.pop_back();
      return Error::Invalid(h);
    }
    return Error::Invalid(fmt::format("\"{}\" accepts no arguments.\nSee '{} --help'.\n\nUsage:  {}\n\n{}",
                                      Path(), Path(), UseLine(), short_desc));
  }
  if (min_args == max_args && n != min_args) {
    what = fmt::format("requires exactly {} {}", min_args, plural(min_args));
  } else if (max_args >= 0 && min_args > 0 && (n < min_args || n > max_args)) {
    what = fmt::format("requires at least {} and at most {} {}", min_args, max_args, plural(max_args));
  } else if (n < min_args) {
    what = fmt::format("requires at least {} {}", min_args, plural(min_args));
  } else if (max_args == 0 && n > 0) {
    if (!children.empty()) {
      std::string h = Help();
      while (!h.empty() && h.back() == '\n') h.pop_back();
      return Error::Invalid(h);
    }
    return Error::Invalid(fmt::format("\"{}\" accepts no arguments.\nSee '{} --help'.\n\nUsage:  {}\n\n{}",
                                      Path(), Path(), UseLine(), short_desc));
  } else if (max_args >= 0 && n > max_args) {
    what = fmt::format("requires at most {} {}", max_args, plural(max_args));
  } else {
    return Ok();
  }
  return Error::Invalid(fmt::format("\"{}\" {}.\nSee '{} --help'.\n\nUsage:  {}\n\n{}", Path(), what,
                                    Path(), UseLine(), short_desc));
}

}  // namespace berth::cli
