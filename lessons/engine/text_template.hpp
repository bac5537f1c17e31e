#pragma once
// Figures in a lesson's text that follow the sliders: `{{latency_posts}}` is the parameter's value
// now, and `{{latency_users + latency_posts + latency_comments}}` or
// `{{max(latency_users, latency_posts, latency_comments)}}` a figure computed from them, so with
// `--param latency_posts=1500` step 1 of lesson 08 says "= 2000 ms", not the default's 1000.
//
// Rules:
// * Inside `{{ }}`: integer parameters by name, whole numbers, + - * /, parentheses, and
//   max(...) / min(...). A bool parameter is 1 or 0; a choice parameter stands alone (`{{order}}`)
//   and gives its value's name. `{{duration_ms(expr)}}`, a whole figure, is that many milliseconds
//   as the windows print a duration ("500.000 ms", "1.500 s"), and `{{short_ms(expr)}}` as the
//   timeline's labels do ("500 ms", "1.5 s"): claims quoting a window or a label use them.
//   Nothing else: no strings, no other functions.
// * check_template() is run on every step when lesson.md is parsed (lesson_file.hpp), so an unknown
//   name, a typo or an unclosed `{{` is an error with the file and line, never a "{{...}}" shown to
//   a learner. expand_template() then cannot fail on that text.
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>

#include "engine/params.hpp"

namespace asynclab::lessons {

struct TemplateError {
  std::size_t offset = 0;  // in the text, where the bad `{{` starts
  std::string message;
};

// The text with every `{{ }}` replaced by its value under `values`.
std::expected<std::string, TemplateError> expand_template(std::string_view text, const ParamValues& values);
// Whether every `{{ }}` of `text` is well formed and names declared parameters (checked with `values`).
std::expected<void, TemplateError> check_template(std::string_view text, const ParamValues& values);

}  // namespace asynclab::lessons
