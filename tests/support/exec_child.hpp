#pragma once
// In a forked child: run `program args...` with `env` (NAME=VALUE entries) added to the environment
// the test runs in. Never returns: exits 127 when the program cannot be started.
#include <cstdlib>
#include <string>
#include <vector>

#include <unistd.h>

namespace asynclab::testing {

[[noreturn]] inline void exec_child(const std::string& program, const std::vector<std::string>& args,
                                    const std::vector<std::string>& env) {
  for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> argv{const_cast<char*>(program.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  ::_exit(127);
}

}  // namespace asynclab::testing
