#pragma once
// What the GUI tests check in `asynclab gui`'s outputs: a PNG's size, whether it is a real picture
// (many colours, not one flat fill), and the UI report's windows and the texts they drew.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stb_image.h>  // Debian's libstb holds the implementation

#include "support/process.hpp"

namespace asynclab::testing {

namespace fs = std::filesystem;

// Runs `asynclab ARGS` as run_asynclab does, with LeakSanitizer off in the sanitizer build.
// LeakSanitizer's stop-the-world tracer now and then crashes ("Tracer caught signal 11") while
// Mesa's llvmpipe threads are alive at exit, failing a run that leaked nothing. The GUI's own leak
// check is the one gui_smoke_test case that calls run_asynclab; every model, lesson and runtime test
// still runs under LeakSanitizer in its own target.
inline Run run_gui(const std::string& args, const std::string& env = "") {
  return run_asynclab(args, env + " ASAN_OPTIONS=detect_leaks=0");
}

// A PNG's size, from its IHDR chunk: big-endian width and height at bytes 16 and 20.
inline std::pair<std::uint32_t, std::uint32_t> png_size(const fs::path& png) {
  const std::string bytes = slurp(png);
  REQUIRE(bytes.size() > 24);
  REQUIRE(bytes.substr(1, 3) == "PNG");
  auto be32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  return {be32(16), be32(20)};
}

struct Colours {
  std::size_t distinct = 0;
  double not_background = 0;  // share of pixels that differ from the commonest colour
};

inline Colours colours_in(const fs::path& png) {
  int w = 0;
  int h = 0;
  int channels = 0;
  unsigned char* pixels = stbi_load(png.c_str(), &w, &h, &channels, 3);
  REQUIRE(pixels != nullptr);
  std::map<std::uint32_t, std::size_t> count;
  const std::size_t n = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char* p = pixels + i * 3;
    ++count[(std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2]];
  }
  stbi_image_free(pixels);
  std::size_t commonest = 0;
  for (const auto& [colour, times] : count) commonest = std::max(commonest, times);
  return Colours{.distinct = count.size(),
                 .not_background = 1.0 - static_cast<double>(commonest) / static_cast<double>(n)};
}

inline const nlohmann::json* window_named(const nlohmann::json& report, std::string_view prefix) {
  for (const nlohmann::json& w : report.at("windows"))
    if (w.at("name").get<std::string>().starts_with(prefix)) return &w;
  return nullptr;
}

// Whether a text of the window that starts with `prefix` was drawn cut off (the UI report's "clipped").
inline bool lists_clipped(const nlohmann::json& window, std::string_view prefix) {
  if (!window.contains("clipped")) return false;
  for (const auto& t : window.at("clipped"))
    if (t.get<std::string>().starts_with(prefix)) return true;
  return false;
}

inline bool lists_text(const nlohmann::json& window, std::string_view needle) {
  for (const nlohmann::json& t : window.at("texts"))
    if (t.get<std::string>().find(needle) != std::string::npos) return true;
  return false;
}


}  // namespace asynclab::testing
