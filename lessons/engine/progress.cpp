// The learner's progress file. See progress.hpp.
#include "engine/progress.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "model/atomic_write.hpp"

namespace asynclab::lessons {

struct Progress::Data {
  nlohmann::json json = nlohmann::json::object();
};

std::filesystem::path default_progress_path() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v == nullptr ? "" : v;
  };
  if (auto dir = env("ASYNCLAB_STATE_DIR"); !dir.empty()) return std::filesystem::path(dir) / "progress.json";
  if (auto dir = env("XDG_STATE_HOME"); !dir.empty()) return std::filesystem::path(dir) / "asynclab" / "progress.json";
  if (auto home = env("HOME"); !home.empty())
    return std::filesystem::path(home) / ".local" / "state" / "asynclab" / "progress.json";
  return "asynclab-progress.json";
}

Progress::Progress() : data_(std::make_unique<Data>()) {}
Progress::~Progress() = default;
Progress::Progress(Progress&&) noexcept = default;
Progress& Progress::operator=(Progress&&) noexcept = default;

Progress Progress::load(const std::filesystem::path& path) {
  Progress p;
  p.path_ = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return p;  // nothing saved yet
  std::ostringstream text;
  text << in.rdbuf();
  in.close();
  auto parsed = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    auto aside = path;
    aside += ".corrupt";
    std::error_code ec;
    std::filesystem::rename(path, aside, ec);
    p.warning_ = ec ? fmt::format("the progress file {} is not valid JSON and could not be moved aside ({}); "
                                  "progress starts afresh",
                                  path.string(), ec.message())
                    : fmt::format("the progress file {} was not valid JSON; it was kept as {} and progress "
                                  "starts afresh",
                                  path.string(), aside.string());
    return p;
  }
  p.data_->json = std::move(parsed);
  return p;
}

std::expected<void, std::string> Progress::save() const {
  std::error_code ec;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
  if (ec) return std::unexpected(fmt::format("cannot create {}: {}", path_.parent_path().string(), ec.message()));
  return vis::write_file_atomically(path_, data_->json.dump(2) + "\n");
}

namespace {
const nlohmann::json* lesson_entry(const nlohmann::json& root, std::string_view folder) {
  auto lessons = root.find("lessons");
  if (lessons == root.end() || !lessons->is_object()) return nullptr;
  auto it = lessons->find(std::string(folder));
  return it == lessons->end() || !it->is_object() ? nullptr : &*it;
}
}  // namespace

bool Progress::lesson_done(std::string_view folder) const {
  const auto* e = lesson_entry(data_->json, folder);
  return e != nullptr && e->value("done", false);
}

std::size_t Progress::lesson_step(std::string_view folder) const {
  const auto* e = lesson_entry(data_->json, folder);
  if (e == nullptr) return 0;
  auto step = e->find("step");
  return step != e->end() && step->is_number_unsigned() ? step->get<std::size_t>() : 0;
}

void Progress::saw_lesson_step(std::string_view folder, std::size_t step, std::size_t step_count) {
  auto& lessons = data_->json["lessons"];
  if (!lessons.is_object()) lessons = nlohmann::json::object();
  auto& entry = lessons[std::string(folder)];
  if (!entry.is_object()) entry = nlohmann::json::object();
  entry["step"] = step;
  if (step + 1 >= step_count) entry["done"] = true;
}

namespace {
const nlohmann::json* exercise_entry(const nlohmann::json& root, std::string_view folder) {
  auto all = root.find("exercises");
  if (all == root.end() || !all->is_object()) return nullptr;
  auto it = all->find(std::string(folder));
  return it == all->end() || !it->is_object() ? nullptr : &*it;
}
nlohmann::json& exercise_slot(nlohmann::json& root, std::string_view folder) {
  auto& all = root["exercises"];
  if (!all.is_object()) all = nlohmann::json::object();
  auto& entry = all[std::string(folder)];
  if (!entry.is_object()) entry = nlohmann::json::object();
  return entry;
}
}  // namespace

bool Progress::exercise_done(std::string_view folder) const {
  const auto* e = exercise_entry(data_->json, folder);
  return e != nullptr && e->value("done", false);
}

void Progress::record_grade(std::string_view folder, bool passed, std::string_view verdict) {
  auto& entry = exercise_slot(data_->json, folder);
  // Done once passed: a later failing edit does not take the mark away (rustlings keeps it too).
  if (passed) entry["done"] = true;
  entry["last_verdict"] = std::string(verdict);
  entry["attempts"] = entry.value("attempts", 0) + 1;
}

void Progress::reset_exercise(std::string_view folder) {
  const auto* e = exercise_entry(data_->json, folder);
  if (e == nullptr) return;
  auto& entry = exercise_slot(data_->json, folder);
  entry.erase("done");
  entry.erase("last_verdict");
}

std::size_t Progress::hints_shown(std::string_view folder) const {
  const auto* e = exercise_entry(data_->json, folder);
  if (e == nullptr) return 0;
  auto n = e->find("hints");
  return n != e->end() && n->is_number_unsigned() ? n->get<std::size_t>() : 0;
}

void Progress::set_hints_shown(std::string_view folder, std::size_t n) { exercise_slot(data_->json, folder)["hints"] = n; }

}  // namespace asynclab::lessons
