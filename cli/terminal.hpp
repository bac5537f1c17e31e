#pragma once
// What the terminal the command prints to can show: how wide it is, whether to colour, whether a
// window could open instead. Asked once,
// by main.cpp, and passed down; the subcommands never look at the terminal themselves.
#include <string_view>

namespace asynclab::cli {

// The width of the terminal on stdout (TIOCGWINSZ), else $COLUMNS, else `fallback`.
int terminal_columns(int fallback = 100);

// `--color always|never|auto`. auto colours only when stdout is a terminal, TERM is not "dumb" and
// NO_COLOR is unset or empty (https://no-color.org).
bool use_color(std::string_view choice);

// Whether a window could open here: an X11 ($DISPLAY) or Wayland ($WAYLAND_DISPLAY) session. The
// GUI still checks for itself; this only decides whether to try it first.
bool has_display();

// Whether stdin is a terminal a learner can press Enter in (not a pipe, a file or /dev/null).
bool stdin_is_terminal();
// Whether stdout is a terminal (a progress line that rewrites itself is only for a person).
bool stdout_is_terminal();

}  // namespace asynclab::cli
