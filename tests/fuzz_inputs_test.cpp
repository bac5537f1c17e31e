// Every saved input of every fuzz target (fuzz/corpus/NAME: the seeds; fuzz/regressions/NAME: what
// fuzzing once found) runs through its target on every build, sanitizers included: a finding, once
// saved, stays fixed. The target functions are fuzz/targets.hpp's, the ones libFuzzer drives.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

#include "targets.hpp"

namespace fs = std::filesystem;

TEST_CASE("every saved fuzz input runs through its target without a crash", "[fuzz]") {
  const fs::path root = fs::path(ASYNCLAB_SOURCE_DIR) / "fuzz";
  std::size_t ran = 0;
  for (const auto& target : asynclab::fuzz::targets) {
    std::size_t seeds = 0;
    for (const char* kind : {"corpus", "regressions"}) {
      const fs::path dir = root / kind / std::string(target.name);
      REQUIRE(fs::is_directory(dir));  // each target keeps both folders, even before a finding
      for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
        CAPTURE(entry.path().string());
        std::ifstream in(entry.path(), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        target.run(bytes);  // returns, whatever the bytes: the claim is that nothing crashes or throws
        ++ran;
        seeds += std::string_view(kind) == "corpus" ? 1 : 0;
      }
    }
    CAPTURE(target.name);
    CHECK(seeds >= 2);  // a target starts from real examples of its input, not from nothing
  }
  CHECK(ran >= 10);
}
