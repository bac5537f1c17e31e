#pragma once
// Lesson parameters: the named knobs a lesson's front matter declares (latency per URL, number of
// tasks, concurrency limit, `use spawn_blocking`, ...), shown as sliders and toggles in the GUI and
// set with `--param k=v` in the terminal.
//
// Rules:
// * A ParamSpec is one `param:` line of lesson.md: an integer with a range (and an optional unit,
//   e.g. ms), a flag, or a choice among named values. Every parameter has a default inside its range.
// * ParamValues holds one value per declared parameter, always valid: set() checks the range or the
//   choice list and says what is wrong instead of storing a bad value.
// * A scenario reads its values by name; asking for a name the lesson does not declare (or as the
//   wrong kind) throws std::logic_error naming it — a bug in the lesson, found by its test.
#include <chrono>
#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace asynclab::lessons {

enum class ParamKind { integer, flag, choice };

struct ParamSpec {
  std::string name;   // identifier used in directives, --param and the scenario
  std::string label;  // what the GUI writes beside the slider
  ParamKind kind = ParamKind::integer;
  std::int64_t min = 0, max = 0;     // integer
  std::string unit;                  // integer: "ms", "tasks", ... ("" for none)
  std::vector<std::string> choices;  // choice
  std::variant<std::int64_t, bool, std::string> default_value;

  // "10..1000 ms", "on/off", "same | opposite": the accepted values in words.
  std::string describe_range() const;
  // The value as a learner would write it: "300", "true", "opposite".
  static std::string format_value(const std::variant<std::int64_t, bool, std::string>& v);
  // Parses `text` as a value of this parameter, checking its range; the error says what is accepted.
  std::expected<std::variant<std::int64_t, bool, std::string>, std::string> parse_value(std::string_view text) const;
};

class ParamValues {
 public:
  using Value = std::variant<std::int64_t, bool, std::string>;

  ParamValues() = default;
  // Every parameter at its default.
  explicit ParamValues(const std::vector<ParamSpec>& specs);

  std::int64_t integer(std::string_view name) const;
  bool flag(std::string_view name) const;
  const std::string& choice(std::string_view name) const;
  // An integer parameter whose unit is ms, as a Duration.
  std::chrono::milliseconds millis(std::string_view name) const;

  const Value& get(std::string_view name) const;
  bool has(std::string_view name) const { return values_.contains(std::string(name)); }
  // Sets `name` from text ("300", "on", "opposite"); the error names the parameter and the range.
  std::expected<void, std::string> set(std::string_view name, std::string_view text);
  std::expected<void, std::string> set_value(std::string_view name, const Value& value);
  const std::vector<ParamSpec>& specs() const { return specs_; }
  const ParamSpec* spec(std::string_view name) const;

  // "concurrent=true latency_a=100": for titles, file names and test messages.
  std::string to_string() const;
  bool operator==(const ParamValues& other) const { return values_ == other.values_; }

 private:
  std::vector<ParamSpec> specs_;
  std::map<std::string, Value, std::less<>> values_;
};

}  // namespace asynclab::lessons
