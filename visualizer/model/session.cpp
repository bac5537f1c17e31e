// See session.hpp.
#include "model/session.hpp"

#include <utility>

#include "model/load_trace.hpp"

namespace asynclab::vis {

Session::Session(trace::Trace trace, std::string title)
    : trace_(std::make_unique<trace::Trace>(std::move(trace))),
      title_(std::move(title)),
      index_(*trace_),
      states_(index_),
      lane_index_(index_),
      lanes_(default_lanes(index_)),
      playback_(*trace_),
      state_(states_.state_at(0)) {}

std::expected<std::unique_ptr<Session>, std::string> Session::open(const std::filesystem::path& path) {
  auto loaded = load_trace_file(path);
  if (!loaded) return std::unexpected(loaded.error());
  return std::make_unique<Session>(std::move(*loaded), path.filename().string());
}

std::uint32_t Session::lane_of_task(std::uint32_t task) const {
  // Tasks come first in default_lanes, in spawn order: the task's slot is its row.
  const std::uint32_t slot = index_.task_slot(task);
  return slot != npos && slot < lanes_.size() && lanes_[slot] == Lane{LaneKind::task, task} ? slot : npos;
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
