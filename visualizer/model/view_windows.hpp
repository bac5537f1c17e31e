#pragma once
// The windows a trace is shown in, named once. The View menu, `asynclab gui --open NAME`, a lesson's
// `<!-- focus: window="NAME" -->`, the windows' own titles and the layouts all take their names from
// here; the shell (app/shell.cpp, its `views` table) adds how each is drawn and where each goes.
//
// Rules:
// * `title` is what a learner reads (the window's title bar, the View menu) and what the directives
//   and --open take. `imgui_id` is the ImGui name the window is begun with and focused by: its title,
//   "Title###id" where the title is short but the id must stay distinct ("Task###Task detail"), or
//   "###id" for a window whose title changes ("Tasks (12)###Tasks": the window appends it).
// * Lesson and Output belong to a lesson (the lesson pane, the scenario's printed lines); the others
//   to any open trace. Legend and Playback are not what a step focuses on.
// * This header never includes imgui.h: the lesson engine validates directives with it.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace asynclab::vis {

enum class ViewWindow : std::uint8_t {
  playback,
  timeline,
  tasks,
  task,
  executor,
  resources,
  warnings,
  code,
  pinning,
  legend,
  lesson,
  output,
};

struct ViewWindowName {
  ViewWindow window;
  std::string_view title;
  std::string_view imgui_id;
  bool focusable;     // a lesson step may focus it
  bool lesson_only;   // shown only with a lesson open (its pane, its Output)
};

inline constexpr std::array<ViewWindowName, 12> view_window_names{{
    {ViewWindow::playback, "Playback", "Playback", false, false},
    {ViewWindow::timeline, "Timeline", "Timeline", true, false},
    {ViewWindow::tasks, "Tasks", "###Tasks", true, false},
    {ViewWindow::task, "Task", "Task###Task detail", true, false},
    {ViewWindow::executor, "Executor", "Executor", true, false},
    {ViewWindow::resources, "Resources", "Resources", true, false},
    {ViewWindow::warnings, "Warnings", "###Warnings", true, false},
    {ViewWindow::code, "Code", "Code", true, false},
    {ViewWindow::pinning, "Pinning", "Pinning", true, false},
    {ViewWindow::legend, "Legend", "Legend", false, false},
    {ViewWindow::lesson, "Lesson", "###Lesson", true, true},
    {ViewWindow::output, "Output", "Output", true, true},
}};

constexpr const ViewWindowName& names_of(ViewWindow w) { return view_window_names[static_cast<std::size_t>(w)]; }
constexpr std::string_view title_of(ViewWindow w) { return names_of(w).title; }
// The ImGui name, NUL-terminated (the table holds string literals).
constexpr const char* imgui_id_of(ViewWindow w) { return names_of(w).imgui_id.data(); }

// The window titled `title` (as the View menu shows it), if there is one.
constexpr std::optional<ViewWindow> view_window_titled(std::string_view title) {
  for (const ViewWindowName& n : view_window_names)
    if (n.title == title) return n.window;
  return std::nullopt;
}

// "Timeline, Tasks, ...": the titles of one kind of window, for messages that list them.
enum class WindowList { focusable, trace_views };  // a step may focus / any trace opens (not Lesson, Output)
inline std::string view_window_titles(WindowList which) {
  std::string list;
  for (const ViewWindowName& n : view_window_names)
    if (which == WindowList::focusable ? n.focusable : !n.lesson_only)
      list += (list.empty() ? "" : ", ") + std::string(n.title);
  return list;
}

static_assert([] {
  for (std::size_t i = 0; i < view_window_names.size(); ++i)
    if (static_cast<std::size_t>(view_window_names[i].window) != i) return false;
  return true;
}(), "view_window_names lists the windows in ViewWindow's order");

}  // namespace asynclab::vis
