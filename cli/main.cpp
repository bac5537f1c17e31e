// asynclab — the command that fronts the project. Subcommands are added as their parts land.
#include <cstdio>

int main() {
  std::puts("asynclab");
  return 0;
}
