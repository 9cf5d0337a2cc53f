// berth-init on the host: exit codes, signals forwarded, orphans reaped.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/strings.h"

namespace {

pid_t Spawn(const std::vector<std::string>& args) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(BERTH_INIT_PATH));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(BERTH_INIT_PATH, argv.data());
    _exit(99);
  }
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status)) << "berth-init itself was killed";
  return WEXITSTATUS(status);
}

// Children of pid that are zombies.
int Zombies(pid_t parent) {
  int n = 0;
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    auto stat = berth::fs::ReadFile(std::string("/proc/") + e->d_name + "/stat");
    if (!stat.ok()) continue;
    // pid (comm) S ppid ...
    size_t close = stat->rfind(')');
    if (close == std::string::npos) continue;
    auto f = berth::str::Split(stat->substr(close + 2), ' ');
    if (f.size() > 1 && f[0] == "Z" && f[1] == std::to_string(parent)) ++n;
  }
  closedir(d);
  return n;
}

TEST(BerthInit, ExitCodeOfTheChild) {
  EXPECT_EQ(Wait(Spawn({"--", "sh", "-c", "exit 7"})), 7);
  EXPECT_EQ(Wait(Spawn({"--", "true"})), 0);
  EXPECT_EQ(Wait(Spawn({"sh", "-c", "exit 3"})), 3);  // "--" is optional
}

TEST(BerthInit, SignalledChildGives128PlusSignal) {
  EXPECT_EQ(Wait(Spawn({"--", "sh", "-c", "kill -KILL $$"})), 128 + SIGKILL);
}

TEST(BerthInit, MissingCommand) {
  EXPECT_EQ(Wait(Spawn({"--", "/nonexistent/cmd"})), 127);
}

TEST(BerthInit, ForwardsSignals) {
  pid_t pid = Spawn({"--", "sh", "-c", "trap 'exit 9' TERM; while :; do sleep 0.05; done"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(Wait(pid), 9);
}

TEST(BerthInit, ForwardsToTheChildWhichDiesOfIt) {
  pid_t pid = Spawn({"--", "sleep", "10"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(kill(pid, SIGINT), 0);
  EXPECT_EQ(Wait(pid), 128 + SIGINT);
}

TEST(BerthInit, ReapsOrphans) {
  // The subshell's `true` is orphaned, comes to berth-init (a subreaper
  // here, PID 1 in a container) and must not stay a zombie.
  pid_t pid = Spawn({"--", "sh", "-c", "(true &); (true &); sleep 1; exit 5"});
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(Zombies(pid), 0);
  EXPECT_EQ(Wait(pid), 5);
}

}  // namespace
