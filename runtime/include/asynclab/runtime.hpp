#pragma once
// Runtime and its Builder — `tokio::runtime::{Runtime, Builder}` and `#[tokio::main]`.
//
// Rules:
// * Runtime::builder().current_thread() gives the single-threaded runtime: every task runs on the
//   thread that calls block_on.
// * .multi_thread(n) gives tokio's multi_thread flavor: n worker threads, each with its own run
//   queue, a global inject queue, work stealing and parking (detail/scheduler.hpp, "Worker threads").
//   Tasks run in parallel; wakers, JoinHandles and the sync primitives may be used from any worker.
//   With .virtual_time() the n workers are *simulated* instead, deterministically per seed, on the
//   thread that calls block_on ("Simulated workers"): lessons use that to replay the same animation.
//   The call that comes last of current_thread() and multi_thread(n) wins.
// * .virtual_time() makes the clock virtual (tokio's paused time): lessons and graders use it, so a
//   run is instant and deterministic. .seed(s) fixes every pseudo-random choice (select's fairness,
//   the simulated world); .explore_schedules() additionally lets the seed reorder the ready queue.
//   Same program + same seed → the same trace, byte for byte.
// * .trace(rec) records every event into `rec` (see trace/recorder.hpp).
// * block_on(f) runs f as the task "main" and drives every task until f finishes; it returns f's
//   value, or rethrows f's exception. When nothing can ever make progress again it throws StuckError
//   (try_block_on returns it instead) — never a hang.
// * Dropping the Runtime cancels every task still alive: their futures are dropped, destructors run.
// * ASYNCLAB_MAIN(fn) writes `main` for a `Task<int>`/`Task<void>` fn, as #[tokio::main] writes it
//   for an async main: on the multi_thread runtime with one worker thread per core (lessons and
//   graders build their own deterministic runtime instead).
#include <cstdint>
#include <expected>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <string_view>

#include "asynclab/detail/scheduler.hpp"
#include "asynclab/sim/fs.hpp"
#include "asynclab/sim/network.hpp"
#include "asynclab/spawn.hpp"
#include "asynclab/stuck.hpp"
#include "asynclab/task.hpp"
#include "asynclab/time/clock.hpp"
#include "asynclab/trace/recorder.hpp"

namespace asynclab {

class Runtime {
 public:
  class Builder {
   public:
    Builder& current_thread() {
      config_.workers = 0;
      return *this;
    }
    // n workers, 1..64 (threads in real time, simulated in virtual time: see the rules above).
    Builder& multi_thread(std::uint32_t n) {
      if (n < 1 || n > max_workers) throw std::invalid_argument("multi_thread(n): n must be 1..64");
      config_.workers = n;
      return *this;
    }
    static constexpr std::uint32_t max_workers = 64;
    Builder& virtual_time(bool on = true) {
      config_.virtual_time = on;
      return *this;
    }
    Builder& seed(std::uint64_t s) {
      config_.seed = s;
      return *this;
    }
    Builder& explore_schedules(bool on = true) {
      config_.explore_schedules = on;
      return *this;
    }
    Builder& trace(trace::Recorder& rec) {
      config_.recorder = &rec;
      return *this;
    }
    // A poll longer than this is reported as a long-poll lint (default 10 ms).
    Builder& long_poll_threshold(Duration d) {
      config_.long_poll_threshold = d;
      return *this;
    }
    // Threads of the blocking pool in real time (default 64).
    Builder& max_blocking_threads(std::size_t n) {
      config_.max_blocking_threads = n;
      return *this;
    }
    // The simulated network and file table this runtime starts with (each runtime built gets its
    // own copy; change the running one through sim::network() / sim::files()).
    Builder& network(sim::Network net) {
      config_.extensions.emplace_back(typeid(sim::Network), [net] { return std::make_shared<sim::Network>(net); });
      return *this;
    }
    Builder& files(sim::FileSystem fs) {
      config_.extensions.emplace_back(typeid(sim::FileSystem), [fs] { return std::make_shared<sim::FileSystem>(fs); });
      return *this;
    }
    Runtime build() const { return Runtime(config_); }

   private:
    detail::SchedulerConfig config_;
  };

  static Builder builder() { return Builder(); }

  Runtime(Runtime&&) noexcept = default;
  Runtime& operator=(Runtime&&) noexcept = default;
  ~Runtime() = default;

  template <class F>
  auto block_on(F&& f, std::string_view name = "main", std::source_location loc = std::source_location::current())
      -> output_t<detail::spawned_future_t<F>> {
    using T = output_t<detail::spawned_future_t<F>>;
    if (detail::Scheduler::current() == scheduler_.get())
      throw std::logic_error("block_on called from inside the same runtime: await the future instead");
    auto* cell = scheduler_->spawn(detail::as_future(std::forward<F>(f)), name, loc);  // with main's reference
    JoinHandle<T> main(cell);
    scheduler_->run_until_complete(cell);
    Context cx(noop_waker());
    auto result = main.poll(cx).take();  // main is complete: this takes its result
    if (!result) {
      if (result.error().is_panic()) result.error().resume_panic();
      throw std::runtime_error(result.error().to_string());
    }
    if constexpr (!std::is_void_v<T>) return std::move(*result);
  }

  template <class F>
  auto try_block_on(F&& f, std::string_view name = "main", std::source_location loc = std::source_location::current())
      -> std::expected<stored_t<output_t<detail::spawned_future_t<F>>>, StuckError> {
    using T = output_t<detail::spawned_future_t<F>>;
    try {
      if constexpr (std::is_void_v<T>) {
        block_on(std::forward<F>(f), name, loc);
        return std::monostate{};
      } else {
        return block_on(std::forward<F>(f), name, loc);
      }
    } catch (const StuckError& e) {
      return std::unexpected(e);
    }
  }

  // The runtime's clock, readable outside block_on too (e.g. after a run, to read virtual time).
  Instant now() const { return Instant(Duration(scheduler_->now_ns())); }

 private:
  explicit Runtime(const detail::SchedulerConfig& config) : scheduler_(std::make_unique<detail::Scheduler>(config)) {}
  std::unique_ptr<detail::Scheduler> scheduler_;
};

// Records a lesson mark: a named moment a lesson's directives and the visualizer can point at.
void mark(std::string_view label);

namespace detail {
// What ASYNCLAB_MAIN runs: builds the runtime, runs fn, turns the outcome into an exit status
// (0, or fn's int; 101 when main panicked, as a Rust panic exits; 1 when the runtime got stuck).
int run_main(Task<int> (*fn)());
int run_main(Task<void> (*fn)());
}  // namespace detail

}  // namespace asynclab

#define ASYNCLAB_MAIN(fn) \
  int main() { return ::asynclab::detail::run_main(&fn); }
