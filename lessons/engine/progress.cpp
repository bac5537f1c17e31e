// The learner's progress file. See progress.hpp.
#include "engine/progress.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "asynclab/trace/output_file.hpp"

namespace asynclab::lessons {

struct Progress::Data {
  nlohmann::json json = nlohmann::json::object();
  // What this process changed since it loaded (or last saved): save() replays these on the file as it
  // is on disk then, so two asynclab processes (the GUI, a grade in another terminal) do not lose
  // each other's updates.
  std::vector<std::function<void(nlohmann::json&)>> changes;
  void change(std::function<void(nlohmann::json&)> f) {
    f(json);
    changes.push_back(std::move(f));
  }
};

namespace {

// The largest number a progress file may hold in a count or a step: far beyond any lesson or habit,
// small enough that nothing overflows adding to it.
constexpr std::uint64_t largest_count = 1'000'000;

// A field read as the type it should have; anything else (a string "yes", a negative or huge number)
// is as if it were missing.
bool flag(const nlohmann::json& entry, const char* key) {
  auto it = entry.find(key);
  return it != entry.end() && it->is_boolean() && it->get<bool>();
}
std::size_t count(const nlohmann::json& entry, const char* key) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_number_unsigned()) return 0;
  const auto n = it->get<std::uint64_t>();
  return n > largest_count ? 0 : static_cast<std::size_t>(n);
}

std::string text_of(const std::filesystem::path& path, bool& exists) {
  std::ifstream in(path, std::ios::binary);
  exists = static_cast<bool>(in);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  return text.str();
}

// progress.json.corrupt, or .corrupt-2, -3, ...: an earlier corrupt copy is never replaced.
std::filesystem::path free_corrupt_name(const std::filesystem::path& path) {
  std::error_code ec;
  for (int n = 1;; ++n) {
    auto aside = path;
    aside += n == 1 ? std::string(".corrupt") : fmt::format(".corrupt-{}", n);
    if (!std::filesystem::exists(aside, ec) || n > 1000) return aside;
  }
}

// What a writer killed mid-save leaves: progress.json.tmp-PID-N of a process that is gone.
void remove_stale_temporaries(const std::filesystem::path& path) {
  std::error_code ec;
  const std::string prefix = path.filename().string() + ".tmp-";
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path().empty() ? "." : path.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const std::string rest = name.substr(prefix.size());  // "PID-ATTEMPT" (trace/output_file.hpp)
    const std::string pid = rest.substr(0, rest.find('-'));
    if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    const long id = std::stol(pid);
    if (::kill(static_cast<pid_t>(id), 0) == 0 || errno == EPERM) continue;  // its writer is still alive
    std::filesystem::remove(entry.path(), ec);
  }
}

// Holds an exclusive lock on progress.json.lock while progress is read and written back.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path) {
    auto lock = path;
    lock += ".lock";
    fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0)
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

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

namespace {
// Moves a progress file that is not valid JSON aside (never over an earlier copy) and says so.
std::string move_aside(const std::filesystem::path& path) {
  const auto aside = free_corrupt_name(path);
  std::error_code ec;
  std::filesystem::rename(path, aside, ec);
  return ec ? fmt::format("the progress file {} is not valid JSON and could not be moved aside ({}); "
                          "progress starts afresh",
                          path.string(), ec.message())
            : fmt::format("the progress file {} was not valid JSON; it was kept as {} and progress "
                          "starts afresh",
                          path.string(), aside.string());
}
}  // namespace

Progress Progress::load(const std::filesystem::path& path) {
  Progress p;
  p.path_ = path;
  bool exists = false;
  const std::string text = text_of(path, exists);
  if (!exists) return p;  // nothing saved yet
  remove_stale_temporaries(path);
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    p.warning_ = move_aside(path);
    return p;
  }
  p.data_->json = std::move(parsed);
  return p;
}

std::expected<void, std::string> Progress::save() const {
  std::error_code ec;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
  if (ec) return std::unexpected(fmt::format("cannot create {}: {}", path_.parent_path().string(), ec.message()));
  // Under the lock: what is on disk now (another asynclab may have saved since this one loaded), with
  // this process's changes replayed on it.
  const FileLock lock(path_);
  bool exists = false;
  const std::string text = text_of(path_, exists);
  nlohmann::json merged = nlohmann::json::object();
  bool replay = true;
  if (exists) {
    auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) {
      merged = std::move(parsed);
    } else {
      // Broken since this process loaded it (by hand, or another program): kept, as load() keeps
      // it, and said, as load() says it. What this process knew goes on (done marks and hints shown
      // only ever grow); its changes are in that already.
      warning_ = move_aside(path_);
      merged = data_->json;
      replay = false;
    }
  }
  if (replay)
    for (const auto& change : data_->changes) change(merged);
  auto written = trace::write_output_file(path_, merged.dump(2) + "\n");
  if (!written) return written;
  data_->json = std::move(merged);
  data_->changes.clear();
  return {};
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
  return e != nullptr && flag(*e, "done");
}

std::size_t Progress::lesson_step(std::string_view folder) const {
  const auto* e = lesson_entry(data_->json, folder);
  return e == nullptr ? 0 : count(*e, "step");
}

void Progress::saw_lesson_step(std::string_view folder, std::size_t step, std::size_t step_count) {
  data_->change([folder = std::string(folder), step, step_count](nlohmann::json& root) {
    auto& lessons = root["lessons"];
    if (!lessons.is_object()) lessons = nlohmann::json::object();
    auto& entry = lessons[folder];
    if (!entry.is_object()) entry = nlohmann::json::object();
    entry["step"] = step;
    if (step + 1 >= step_count) entry["done"] = true;
  });
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
  return e != nullptr && flag(*e, "done");
}

void Progress::record_grade(std::string_view folder, bool passed, std::string_view verdict) {
  data_->change([folder = std::string(folder), passed, verdict = std::string(verdict)](nlohmann::json& root) {
    auto& entry = exercise_slot(root, folder);
    // Done once passed: a later failing edit does not take the mark away (rustlings keeps it too).
    if (passed) entry["done"] = true;
    entry["last_verdict"] = verdict;
    entry["attempts"] = std::min<std::uint64_t>(count(entry, "attempts") + 1, largest_count);
  });
}

void Progress::reset_exercise(std::string_view folder) {
  data_->change([folder = std::string(folder)](nlohmann::json& root) {
    if (exercise_entry(root, folder) == nullptr) return;
    auto& entry = exercise_slot(root, folder);
    entry.erase("done");
    entry.erase("last_verdict");
  });
}

std::size_t Progress::hints_shown(std::string_view folder) const {
  const auto* e = exercise_entry(data_->json, folder);
  return e == nullptr ? 0 : count(*e, "hints");
}

void Progress::set_hints_shown(std::string_view folder, std::size_t n) {
  data_->change([folder = std::string(folder), n](nlohmann::json& root) {
    // Hints only ever grow: another process may have shown more meanwhile.
    auto& entry = exercise_slot(root, folder);
    entry["hints"] = std::max(count(entry, "hints"), std::min<std::size_t>(n, largest_count));
  });
}

}  // namespace asynclab::lessons
