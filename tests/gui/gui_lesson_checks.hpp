#pragma once
// The check every lesson gets in the GUI (tests/gui/lesson_screens.cpp, generated one test per lesson
// folder): drawn at its first and its last step, the picture is a real picture and the UI report
// shows the lesson pane with that step's title and its "Notice:" call-out, the timeline, every
// window the step asks for, and no error. The PNGs stay in ASYNCLAB_SCREENSHOT_DIR.
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "engine/catalog.hpp"
#include "engine/markdown.hpp"
#include "gui/gui_checks.hpp"

namespace asynclab::testing {

// A progress file of the test's own, and no ASYNCLAB_LESSONS_DIR from outside.
inline std::string lesson_state_env(std::string_view name) {
  const fs::path dir = scratch() / "state" / std::string(name);
  fs::create_directories(dir);
  return "env -u ASYNCLAB_LESSONS_DIR ASYNCLAB_STATE_DIR=" + quoted(dir);
}

inline void check_lesson_screens(std::string_view folder) {
  static const auto catalog = lessons::Catalog::load();
  REQUIRE(catalog);
  const auto* entry = catalog->find(folder);
  REQUIRE(entry != nullptr);
  if (!entry->lesson) FAIL(entry->lesson.error().to_string());
  const auto& lesson = *entry->lesson;
  const fs::path shots = ASYNCLAB_SCREENSHOT_DIR;
  fs::create_directories(shots);
  for (const std::size_t step : {std::size_t{0}, lesson.steps.size() - 1}) {
    const std::string which = step == 0 ? "first" : "last";
    CAPTURE(folder, which);
    const fs::path png = shots / fmt::format("{}-{}.png", folder, which);
    const fs::path json = scratch() / fmt::format("{}-{}.json", folder, which);
    // Leak checking is off (run_gui): every lesson's scenario runs under LSan in lesson_tests.
    const Run r = run_gui(fmt::format("gui --lesson {} --step {} --screenshot {} --ui-report {} --size 1600x1000",
                                           folder, step + 1, quoted(png), quoted(json)),
                               lesson_state_env(folder));
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(png_size(png) == std::pair<std::uint32_t, std::uint32_t>{1600, 1000});
    const Colours colours = colours_in(png);
    CHECK(colours.distinct >= 16);
    CHECK(colours.not_background > 0.05);

    const auto report = nlohmann::json::parse(slurp(json));
    CHECK(report.at("errors").empty());
    const nlohmann::json* pane = window_named(report, fmt::format("Lesson {}:", lesson.id));
    REQUIRE(pane != nullptr);
    CHECK(pane->at("visible") == true);
    CHECK(lists_text(*pane, lesson.steps[step].title));
    CHECK(lists_text(*pane, fmt::format("step {} of {}", step + 1, lesson.steps.size())));
    CHECK(lists_text(*pane, "Notice:"));
    const nlohmann::json* timeline = window_named(report, "Timeline");
    REQUIRE(timeline != nullptr);
    CHECK(timeline->at("visible") == true);
    for (const auto& d : lesson.steps[step].directives) {
      if (d.kind != lessons::DirectiveKind::focus) continue;
      CAPTURE(d.name);
      const nlohmann::json* focused = window_named(report, d.name == "Task" ? "Task" : d.name);
      REQUIRE(focused != nullptr);
      CHECK(focused->at("visible") == true);
    }
  }
}

}  // namespace asynclab::testing
