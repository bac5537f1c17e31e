// See live_run.hpp.
#include "app/live_run.hpp"

#include <exception>
#include <utility>

namespace asynclab::vis {

LiveRun::LiveRun(std::string title, LiveProgram program, LiveFeedLimits limits)
    : title_(std::move(title)), state_(std::make_shared<Shared>(limits)) {
  state_->recorder.attach(&state_->feed.stream());  // before the program builds its runtime: stamps in ns
  thread_ = std::jthread([state = state_, run = std::move(program)](std::stop_token stop) {
    try {
      run(state->recorder, stop);
    } catch (const std::exception& e) {
      std::lock_guard lock(state->failure_lock);
      state->failure = e.what();
    } catch (...) {
      std::lock_guard lock(state->failure_lock);
      state->failure = "the program threw something that is not a std::exception";
    }
    state->feed.mark_finished();  // after the runtime is gone: nothing more will be offered
  });
}

LiveRun::~LiveRun() {
  thread_.request_stop();
  const auto deadline = std::chrono::steady_clock::now() + stop_grace;
  while (!state_->feed.runtime_finished() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the program's last pause, at most
  if (state_->feed.runtime_finished()) thread_.join();
  else thread_.detach();  // hung: it keeps `state_` alive on its own; the process may end under it
}

bool LiveRun::update(Session& session, double now_s) {
  LiveFeed& feed = state_->feed;
  feed.poll();
  if (!feed.reindex_due(now_s)) return false;
  const auto began = std::chrono::steady_clock::now();
  session.grow([&](trace::Trace& t) { feed.flush_into(t); });
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - began;
  feed.reindexed(now_s, took.count());
  return true;
}

std::string LiveRun::failure() const {
  std::lock_guard lock(state_->failure_lock);
  return state_->failure;
}

}  // namespace asynclab::vis
