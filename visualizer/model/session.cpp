// See session.hpp.
#include "model/session.hpp"

#include <algorithm>
#include <utility>

#include "model/load_trace.hpp"

namespace asynclab::vis {

namespace {

// The timeline's rows: with several workers, a lane per worker first (which task each one ran, and
// when a task moved from one to another), then the tasks and the blocking lanes.
std::vector<Lane> lanes_for(const TraceIndex& index) {
  std::vector<Lane> lanes;
  if (index.run().workers > 1)
    for (std::uint32_t w = 0; w < index.run().workers; ++w) lanes.push_back(Lane{LaneKind::worker, w});
  const std::vector<Lane> rest = default_lanes(index);
  lanes.insert(lanes.end(), rest.begin(), rest.end());
  return lanes;
}

}  // namespace

Session::Session(trace::Trace trace, std::string title)
    : trace_(std::make_unique<trace::Trace>(std::move(trace))),
      title_(std::move(title)),
      index_(*trace_),
      states_(index_),
      lane_index_(index_),
      lanes_(lanes_for(index_)),
      playback_(*trace_),
      state_(states_.state_at(0)) {}

std::expected<std::unique_ptr<Session>, std::string> Session::open(const std::filesystem::path& path) {
  auto loaded = load_trace_file(path);
  if (!loaded) return std::unexpected(loaded.error());
  return std::make_unique<Session>(std::move(*loaded), path.filename().string());
}

std::size_t Session::grow(const std::function<void(trace::Trace&)>& append) {
  const std::size_t before = trace_->size();
  append(*trace_);
  index_ = TraceIndex(*trace_);
  states_ = StateTimeline(index_);
  lane_index_ = LaneIndex(index_);
  lanes_ = lanes_for(index_);
  playback_.trace_grew();
  state_ = states_.state_at(playback_.cursor());
  return trace_->size() - before;
}

std::uint32_t Session::lane_of_task(std::uint32_t task) const {
  // Tasks follow the worker lanes, in id order. Their spawn events are nearly always in id order
  // too, so the task's slot, offset by the workers, is its row; where not, the rows are searched.
  const std::uint32_t slot = index_.task_slot(task);
  if (slot == npos) return npos;
  const std::uint32_t first = index_.run().workers > 1 ? index_.run().workers : 0;
  const std::uint32_t row = slot + first;
  if (row < lanes_.size() && lanes_[row] == Lane{LaneKind::task, task}) return row;
  const std::size_t begin = std::min<std::size_t>(first, lanes_.size());
  const std::size_t end = std::min(begin + index_.tasks().size(), lanes_.size());
  const auto tasks_begin = lanes_.begin() + static_cast<std::ptrdiff_t>(begin);
  const auto tasks_end = lanes_.begin() + static_cast<std::ptrdiff_t>(end);
  const auto it =
      std::lower_bound(tasks_begin, tasks_end, task, [](const Lane& l, std::uint32_t id) { return l.id < id; });
  if (it == tasks_end || *it != Lane{LaneKind::task, task}) return npos;
  return static_cast<std::uint32_t>(it - lanes_.begin());
}

std::optional<trace::Event> Session::current_event() const {
  if (state_.cursor == 0) return std::nullopt;
  return (*trace_)[state_.cursor - 1];
}

std::uint32_t Session::current_task() const {
  auto e = current_event();
  return e ? e->task : 0;
}

}  // namespace asynclab::vis
