// See compare_runs.hpp.
#include "model/compare_runs.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "model/describe.hpp"

namespace asynclab::vis {

namespace {

// The most requests in flight at one moment (a request's end before another's begin at the same
// instant does not overlap it).
std::size_t max_in_flight(const TraceIndex& index) {
  std::vector<std::pair<EventIndex, int>> edges;
  for (const RequestInfo& r : index.requests()) {
    edges.emplace_back(r.begin_event, +1);
    edges.emplace_back(r.end_event == npos ? static_cast<EventIndex>(index.trace().size()) : r.end_event, -1);
  }
  std::ranges::sort(edges);
  int now = 0, most = 0;
  for (const auto& [event, delta] : edges) most = std::max(most, now += delta);
  return static_cast<std::size_t>(most);
}

std::string ending(const TraceIndex& index) {
  // A stuck run is shut down after its report: the stuck records say it, not the last stop.
  if (index.stuck().empty()) return index.run().stopped ? "finished" : "did not finish (the trace ends mid-run)";
  const bool cycle = std::ranges::any_of(index.stuck(), &StuckRecord::on_cycle);
  return cycle ? "ended stuck in a deadlock" : "ended stuck: a task waited for a wake that never came";
}

std::map<trace::LintKind, std::size_t> lints_by_kind(const TraceIndex& index) {
  std::map<trace::LintKind, std::size_t> out;
  for (const LintRecord& l : index.lints()) ++out[l.kind];
  return out;
}

const char* lint_words(trace::LintKind kind) {
  switch (kind) {
    case trace::LintKind::forgotten_future: return "forgotten future";
    case trace::LintKind::lost_waker: return "lost waker";
    case trace::LintKind::self_wake: return "self-wake";
    case trace::LintKind::long_poll: return "long poll";
  }
  return "lint";
}

std::size_t on_worker(const TraceIndex& index) {
  return static_cast<std::size_t>(std::ranges::count(index.blocking(), 0u, &BlockingSpan::lane));
}

std::size_t cancelled(const TraceIndex& index) {
  return static_cast<std::size_t>(std::ranges::count_if(index.future_nodes(), [](const FutureNodeInfo& f) {
    return f.kind == trace::FutureNode::branch && f.dropped_event != npos && f.end == trace::FutureEnd::cancelled;
  }));
}

std::uint64_t length(const TraceIndex& index) { return index.run().end_ns - index.run().start_ns; }

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

std::vector<std::string> run_differences(const TraceIndex& yours, const TraceIndex& reference) {
  std::vector<std::string> out;
  if (const std::string a = ending(yours), b = ending(reference); a != b)
    out.push_back(fmt::format("your run {}; the reference's {}", a, b));

  const auto your_lints = lints_by_kind(yours), reference_lints = lints_by_kind(reference);
  for (const auto& [kind, n] : your_lints)
    if (!reference_lints.contains(kind))
      out.push_back(fmt::format("your run raised {} ({}); the reference's raised none",
                                plural(n, "lint", "lints"), lint_words(kind)));

  if (const std::size_t mine = on_worker(yours); mine > 0 && on_worker(reference) == 0 && !reference.blocking().empty())
    out.push_back(fmt::format("your blocking work ran on the worker ({}), holding every other task up; the "
                              "reference's ran on spawn_blocking's lane",
                              plural(mine, "job", "jobs")));

  const std::size_t n_yours = yours.requests().size(), n_reference = reference.requests().size();
  const std::size_t flight_yours = max_in_flight(yours), flight_reference = max_in_flight(reference);
  if (n_yours > 1 && flight_yours == 1 && flight_reference > 1)
    out.push_back(fmt::format("your {} requests ran one after another; the reference's overlapped ({} at once)", n_yours,
                              flight_reference));
  else if (flight_yours > flight_reference && flight_reference > 0)
    out.push_back(fmt::format("your run had {} requests in flight at once; the reference never more than {}", flight_yours,
                              flight_reference));
  else if (flight_yours > 0 && flight_yours < flight_reference)
    out.push_back(fmt::format("your run had at most {} requests in flight at once; the reference {}", flight_yours,
                              flight_reference));
  else if (n_yours != n_reference)
    out.push_back(fmt::format("your run sent {}; the reference's {}", plural(n_yours, "request", "requests"), n_reference));

  if (yours.tasks().size() != reference.tasks().size())
    out.push_back(fmt::format("your run spawned {}; the reference's {}", plural(yours.tasks().size(), "task", "tasks"),
                              reference.tasks().size()));

  if (const std::size_t a = cancelled(yours), b = cancelled(reference); a != b)
    out.push_back(fmt::format("your run dropped {} mid-flight; the reference's {}", plural(a, "future", "futures"), b));

  const std::uint64_t a = length(yours), b = length(reference);
  if (std::max(a, b) > 0 && (a > b ? a - b : b - a) * 10 > std::max(a, b))
    out.push_back(fmt::format("your run took {}; the reference's {}", format_duration_short(a), format_duration_short(b)));
  return out;
}

}  // namespace asynclab::vis
