#pragma once
// The check every lesson gets in the GUI (tests/gui/lesson_screens.cpp, generated one test per lesson
// folder): every step drawn as a learner sees it (1600x1000) and as a class sees it (presentation
// mode at 1280x720), in one `asynclab gui --every-step` run each. At every step the picture is a real
// picture and the UI report shows: no error; no window over another; the lesson pane with the step's
// title, where-am-I line and "Notice:" call-out, none of them cut off; the timeline framing the
// step's moment (lesson_pictures_test checks the frame itself); every window the step asks for,
// visible, its first line on screen, and every line of it that the step's claims quote. The PNGs
// stay in ASYNCLAB_SCREENSHOT_DIR.
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "engine/catalog.hpp"
#include "engine/lesson_player.hpp"
#include "engine/markdown.hpp"
#include "engine/step_claims.hpp"
#include "engine/text_template.hpp"
#include "gui/gui_checks.hpp"
#include "model/timeline_layout.hpp"

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
  struct Mode {
    const char* name;
    const char* flags;
    std::pair<std::uint32_t, std::uint32_t> size;
  };
  for (const Mode& mode : {Mode{"window", "--size 1600x1000", {1600, 1000}},
                          Mode{"present", "--present --size 1280x720", {1280, 720}}}) {
    CAPTURE(folder, mode.name);
    const fs::path png = shots / fmt::format("{}-{}.png", folder, mode.name);
    const fs::path json = scratch() / fmt::format("{}-{}.json", folder, mode.name);
    // Leak checking is off (run_gui): every lesson's scenario runs under LSan in lesson_tests.
    const Run r = run_gui(fmt::format("gui --lesson {} --every-step --screenshot {} --ui-report {} {}", folder,
                                      quoted(png), quoted(json), mode.flags),
                          lesson_state_env(folder));
    INFO(r.out << r.err);
    REQUIRE(r.status == 0);
    lessons::LessonPlayer player(lesson, entry->scenario, lessons::ParamValues(lesson.params));
    for (std::size_t step = 0; step < lesson.steps.size(); ++step) {
      CAPTURE(step + 1, lesson.steps[step].title);
      const std::string suffix = fmt::format(".step{}", step + 1);
      const fs::path step_png = shots / fmt::format("{}-{}{}.png", folder, mode.name, suffix);
      const fs::path step_json = scratch() / fmt::format("{}-{}{}.json", folder, mode.name, suffix);
      CHECK(png_size(step_png) == mode.size);
      const Colours colours = colours_in(step_png);
      CHECK(colours.distinct >= 16);
      CHECK(colours.not_background > 0.05);

      const auto report = nlohmann::json::parse(slurp(step_json));
      CHECK(report.at("errors").empty());
      for (const auto& w : report.at("windows")) {
        CAPTURE(w.at("name").get<std::string>());
        CHECK(w.at("covered_by").empty());
      }
      const nlohmann::json* pane = window_named(report, fmt::format("Lesson {}:", lesson.id));
      REQUIRE(pane != nullptr);
      CHECK(pane->at("visible") == true);
      const std::string where = fmt::format("Lesson {} · seeds {} · step {} of {}", lesson.id, lesson.seeds, step + 1,
                                            lesson.steps.size());
      CHECK(lists_text(*pane, lesson.steps[step].title));
      CHECK(lists_text(*pane, where));
      CHECK_FALSE(lists_clipped(*pane, where));
      CHECK_FALSE(lists_clipped(*pane, lesson.steps[step].title));
      CHECK(lists_text(*pane, "Notice:"));
      CHECK_FALSE(lists_clipped(*pane, "Notice:"));
      const nlohmann::json* timeline = window_named(report, "Timeline");
      REQUIRE(timeline != nullptr);
      CHECK(timeline->at("visible") == true);
      // The timeline frames what the model says this step frames (lesson_pictures_test checks that
      // frame against the step's events).
      REQUIRE(report.contains("timeline"));
      player.go_to(step);
      const vis::TraceIndex index(player.run().trace);
      const auto frame = player.frame();
      const vis::Axis axis = report.at("timeline").at("axis") == "time" ? vis::Axis::time : vis::Axis::sequence;
      const vis::AxisRange range = vis::frame_events(index, axis, frame.begin, frame.end, frame.at_least_ns, frame.context);
      CHECK(report.at("timeline").at("begin").get<double>() == Approx(range.begin).margin(1e-3));
      CHECK(report.at("timeline").at("end").get<double>() == Approx(range.end).margin(1e-3));
      for (const auto& d : lesson.steps[step].directives) {
        if (d.kind != lessons::DirectiveKind::focus) continue;
        CAPTURE(d.name);
        const nlohmann::json* focused = window_named(report, d.name == "Task" ? "Task" : d.name);
        REQUIRE(focused != nullptr);
        CHECK(focused->at("visible") == true);
        // Its first line is on screen (a long log or table may scroll below it) ...
        if (!focused->at("texts").empty())
          CHECK_FALSE(lists_clipped(*focused, focused->at("texts")[0].get<std::string>()));
        // ... and so is every line of it the Notice points at: a `shows WINDOW "TEXT"` claim about
        // this window whose TEXT is one of the window's text items (the claims quote the terminal's
        // wording, which the GUI shares for most lines) is not cut off.
        for (const std::string& written : lesson.steps[step].claims()) {
          auto expanded = lessons::expand_template(written, lessons::ParamValues(lesson.params));
          REQUIRE(expanded);
          auto claim = lessons::parse_claim(*expanded);
          REQUIRE(claim);
          if (claim->kind != lessons::ClaimKind::shows || claim->window != d.name) continue;
          bool listed = false, whole = false;
          for (const auto& t : focused->at("texts")) {
            const std::string item = t.get<std::string>();
            if (item.find(claim->quoted) == std::string::npos) continue;
            listed = true;
            whole = whole || !lists_clipped(*focused, item);
          }
          CAPTURE(claim->text);
          if (listed) CHECK(whole);
        }
      }
    }
  }
}

}  // namespace asynclab::testing
