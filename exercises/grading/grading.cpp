// See grading.hpp.
#include "grading.hpp"

#include <algorithm>
#include <map>

#include "asynclab/trace/codec.hpp"

namespace asynclab::grading {

namespace ev = asynclab::trace::ev;

const std::vector<std::uint64_t>& SeedList::list() {
  static const std::vector<std::uint64_t> chosen = [] {
    std::vector<std::uint64_t> out{1, 2, 3, 17, 4242};
    std::size_t want = out.size();
    if (const char* env = std::getenv("ASYNCLAB_GRADE_SEEDS"); env != nullptr && *env != '\0') {
      const long n = std::strtol(env, nullptr, 10);
      if (n >= 1 && n <= 1000) want = static_cast<std::size_t>(n);
    }
    // More seeds than the five: a fixed sequence after them (a run stays reproducible).
    for (std::uint64_t next = 10007; out.size() < want; next += 7919) out.push_back(next);
    out.resize(want);
    return out;
  }();
  return chosen;
}

std::string GradedRun::at(std::chrono::nanoseconds t) {
  using namespace std::chrono;
  const auto ns = t.count();
  if (ns == 0) return "0 ms";
  if (ns % 1'000'000 == 0 && ns < 10'000'000'000) return fmt::format("{} ms", ns / 1'000'000);
  if (ns >= 1'000'000'000) return fmt::format("{:.3g} s", static_cast<double>(ns) / 1e9);
  if (ns >= 1'000'000) return fmt::format("{:.3g} ms", static_cast<double>(ns) / 1e6);
  return fmt::format("{} µs", static_cast<double>(ns) / 1e3);
}

void fail(std::string_view observed, std::string_view expected, std::string_view look_at) {
  FAIL(fmt::format("{}\nexpected: {}\nlook at: {}", observed, expected, look_at));
  std::abort();  // FAIL throws; this only tells the compiler
}

void require_finished(const GradedRun& run) {
  if (run.stuck) {
    const bool deadlock = run.stuck->is_deadlock();
    fail(fmt::format("{} (seed {}): the run stopped at {} with every task waiting for ever:\n{}",
                     deadlock ? "deadlock" : run.stuck->lost_wakers() > 0 ? "lost waker" : "stuck", run.seed,
                     GradedRun::at(run.end()), run.stuck->render()),
         "the program finishes under every seed",
         deadlock ? "the order in which your tasks take their locks" : "who keeps (and calls) each task's waker");
  }
  if (run.panic)
    fail(fmt::format("threw (seed {}): an exception escaped your code at {}: {}", run.seed, GradedRun::at(run.end()),
                     *run.panic),
         "errors come back as values (std::expected), not as exceptions",
         "what your code does when something fails");
}

InFlight requests_in_flight(const trace::Trace& trace) {
  InFlight in_flight;
  std::map<std::uint32_t, std::string_view> open;  // request id -> url, in request order
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const auto e = trace[i];
    if (const auto begin = asynclab::trace::as<ev::RequestBegin>(e)) {
      open[begin->request] = trace.string(begin->url);
      if (open.size() > in_flight.peak) {
        in_flight.peak = open.size();
        in_flight.first_peak_at = std::chrono::nanoseconds(e.time_ns);
        in_flight.urls_at_peak.clear();
        for (const auto& [id, url] : open) in_flight.urls_at_peak.emplace_back(url);
      }
    } else if (const auto end = asynclab::trace::as<ev::RequestEnd>(e)) {
      open.erase(end->request);
    }
  }
  return in_flight;
}

std::vector<Request> requests(const GradedRun& run) {
  std::vector<Request> out;
  std::map<std::uint32_t, std::size_t> open;  // request id -> its index in `out`
  for (std::size_t i = 0; i < run.trace.size(); ++i) {
    const auto e = run.trace[i];
    if (const auto begin = trace::as<ev::RequestBegin>(e)) {
      open[begin->request] = out.size();
      out.push_back(Request{begin->task, std::string(run.trace.string(begin->url)), std::chrono::nanoseconds(e.time_ns),
                            run.end(), false, false});
    } else if (const auto end = trace::as<ev::RequestEnd>(e)) {
      const auto it = open.find(end->request);
      if (it == open.end()) continue;
      Request& r = out[it->second];
      r.ended = std::chrono::nanoseconds(e.time_ns);
      r.cancelled = end->failure == trace::HttpFailure::cancelled;
      r.answered = !r.cancelled;
      open.erase(it);
    }
  }
  return out;
}

std::optional<Request> first_request_to(const GradedRun& run, std::string_view url) {
  for (Request& r : requests(run))
    if (r.url == url) return std::move(r);
  return std::nullopt;
}

std::optional<std::filesystem::path> trace_path(std::string_view exercise) {
  const char* dir = std::getenv("ASYNCLAB_TRACE_DIR");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  return std::filesystem::path(dir) / fmt::format("{}.altrace", exercise);
}

namespace detail {

void save_first_trace(const GradedRun& run) {
  // The first run of the first seed is the one saved: the grader's first graded point.
  static bool saved = false;
  if (saved || run.seed != seeds[0]) return;
  saved = true;
  auto path = trace_path(run.exercise);
  if (!path) return;
  std::error_code ec;
  std::filesystem::create_directories(path->parent_path(), ec);
  (void)trace::save(run.trace, *path);  // a grade never fails for want of a saved trace
}

}  // namespace detail

}  // namespace asynclab::grading
