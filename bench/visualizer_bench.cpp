// visualizer_bench — can the visualizer's model hold a big real-time trace and draw it at frame rate?
// Usage: visualizer_bench [--events N] [--tasks M] [--file PATH] [--keep]
//        (defaults: 10,000,000 events over 10,000 tasks, /tmp/asynclab_visualizer_bench.altrace)
//
// 1. A child process generates a trace with a fast deterministic simulation of a busy server (no
//    runtime involved: events are written straight into a Trace) and saves it as .altrace. The child
//    exits, so none of its memory is counted in what follows.
// 2. Load: trace::load + TraceIndex + StateTimeline + LaneIndex, each timed (target: <= 3 s in all).
// 3. Memory: the bytes each structure reports, and the process's resident set growth read from
//    /proc/self/statm, per event (target: <= 64 B/event, both ways of counting).
// 4. Frames: the draw commands of one 1600 px frame with 40 lanes on screen, at five zoom levels from
//    the whole trace down to one poll, on both axes; the median of repeated runs (target: <= 8 ms).
//    All lanes visible at once is reported too, with no target: the timeline shows 40-odd rows.
// 5. Seeks: StateTimeline::state_at at 100 random cursors (median and worst, no target).
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <queue>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "asynclab/trace/event.hpp"
#include "asynclab/trace/file.hpp"
#include "asynclab/trace/trace.hpp"
#include "model/timeline_layout.hpp"
#include "model/trace_index.hpp"
#include "model/world_state.hpp"

using namespace asynclab;
using trace::Event;
using trace::EventKind;

namespace {

// --- the generator -------------------------------------------------------------------------------

class Xorshift {
 public:
  explicit Xorshift(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }

 private:
  std::uint64_t s_;
};

// A busy current-thread server, simulated: "main" accepts connections (spawns tasks) on a 100 µs
// tick until all are spawned; 64 long-lived "worker" tasks and thousands of short-lived "conn" tasks
// sleep, send to each other's inboxes (mpsc, capacity 16), receive with a timeout (a select between
// recv and sleep, whose loser is dropped mid-flight), compute (sometimes long enough for a long-poll
// lint), yield, and now and then run a spawn_blocking job on one of four blocking lanes. Timers fire
// when due; when nothing is runnable the clock jumps to the next timer. Times are real-time-like:
// tens to hundreds of nanoseconds between events inside a poll.
class Generator {
 public:
  Generator(std::size_t events, std::uint32_t tasks)
      : target_(events), task_count_(std::max<std::uint32_t>(tasks, 2)) {}

  trace::Trace run() {
    setup_tables();
    push(EventKind::runtime_started, 0, 0, 0x5eed, 0);
    spawn(1, 0, main_site_);
    while (trace_.size() + 64 < target_) {
      fire_due();
      if (queue_.empty()) {
        if (due_.empty()) break;
        now_ = std::max(now_, due_.top().at);
        continue;
      }
      const std::uint32_t id = queue_.front();
      queue_.pop_front();
      if (id == 1)
        poll_main();
      else
        poll_task(id);
    }
    push(EventKind::runtime_stopped, 0, 0, 0, static_cast<std::uint16_t>(trace::StopReason::shutdown));
    return std::move(trace_);
  }

 private:
  enum class Wait : std::uint8_t { queued, timer, inbox, blocking, done };
  struct Task {
    Wait wait = Wait::queued;
    bool long_lived = false;
    bool timer_fired = false;  // what ended its last wait: the timer (else a message)
    std::uint32_t polls_left = 0;
    std::uint32_t timer = 0;        // the armed timer it waits on, 0: none
    std::uint32_t select_node = 0;  // its recv-or-timeout select, 0: none
    std::uint32_t buffered = 0;     // values in its inbox
    std::uint32_t alive_at = 0;     // position in alive_
  };
  struct Due {
    std::uint64_t at;
    std::uint32_t task;
    std::uint32_t id;  // timer id, or blocking lane + 1 << 31
    bool operator>(const Due& o) const { return at > o.at; }
  };
  static constexpr std::uint32_t long_lived = 64;
  static constexpr std::uint32_t inbox_capacity = 16;
  static constexpr std::uint32_t blocking_lanes = 4;
  static constexpr std::uint32_t blocking_flag = 1u << 31;

  void setup_tables() {
    const std::uint32_t file = trace_.add_string("bench/server.cpp");
    const std::uint32_t fn = trace_.add_string("serve");
    for (std::uint32_t line : {12u, 20u, 31u, 44u, 57u})
      locations_.push_back(trace_.add_location({file, fn, line, 5}));
    main_site_ = trace_.add_site({trace_.add_string("main"), locations_[0]});
    worker_site_ = trace_.add_site({trace_.add_string("worker"), locations_[1]});
    conn_site_ = trace_.add_site({trace_.add_string("conn"), locations_[2]});
    inbox_name_ = trace_.add_string("inbox");
    checkpoint_name_ = trace_.add_string("checkpoint");
    tasks_.resize(task_count_ + 1);
    // A short-lived task makes about 6 events per poll; together they should use some 60% of the
    // trace, the long-lived ones the rest.
    const double per_task = 0.6 * static_cast<double>(target_) / (6.0 * task_count_);
    mean_polls_ = std::max<std::uint64_t>(4, static_cast<std::uint64_t>(per_task));
  }

  void push(EventKind kind, std::uint32_t task, std::uint32_t a, std::uint32_t b, std::uint16_t flags = 0) {
    now_ += rng_.between(30, 200);
    trace_.push(Event{now_, kind, 0, flags, task, a, b});
  }

  void spawn(std::uint32_t id, std::uint32_t parent, std::uint32_t site) {
    push(EventKind::task_spawned, id, parent, site);
    Task& t = tasks_[id];
    t.long_lived = id <= long_lived + 1;
    t.polls_left =
        t.long_lived ? ~0u : static_cast<std::uint32_t>(rng_.between(mean_polls_ / 2, mean_polls_ * 3 / 2));
    if (id != 1) {
      push(EventKind::resource_created, parent, id, inbox_name_,
           static_cast<std::uint16_t>(trace::ResourceKind::mpsc));
      push(EventKind::resource_limits, parent, id, inbox_capacity);
      t.alive_at = static_cast<std::uint32_t>(alive_.size());
      alive_.push_back(id);
    }
    queue_.push_back(id);
    spawned_ = id;
  }

  void arm(std::uint32_t id, std::uint64_t delay_us) {
    Task& t = tasks_[id];
    t.timer = ++timers_;
    t.timer_fired = false;
    push(EventKind::timer_armed, id, t.timer, static_cast<std::uint32_t>(delay_us));
    push(EventKind::waker_cloned, id, id, 0);
    due_.push(Due{now_ + delay_us * 1000, id, t.timer});
  }

  void wake(std::uint32_t id, std::uint32_t from, trace::WakeSource source, std::uint16_t extra = 0) {
    push(EventKind::wake, id, from, 0,
         static_cast<std::uint16_t>(static_cast<std::uint16_t>(source) | extra));
    tasks_[id].wait = Wait::queued;
    queue_.push_back(id);
  }

  void park(std::uint32_t id, Wait wait, std::uint32_t location) {
    tasks_[id].wait = wait;
    push(EventKind::poll_end, id, 0, location, static_cast<std::uint16_t>(trace::PollResult::pending));
  }
  void yield_now(std::uint32_t id) {
    wake(id, id, trace::WakeSource::task, trace::wake_flag::self | trace::wake_flag::by_ref);
    push(EventKind::poll_end, id, 0, locations_[4], static_cast<std::uint16_t>(trace::PollResult::pending));
  }

  void fire_due() {
    while (!due_.empty() && due_.top().at <= now_) {
      const Due d = due_.top();
      due_.pop();
      Task& t = tasks_[d.task];
      if (d.id & blocking_flag) {
        const std::uint32_t lane = d.id & ~blocking_flag;
        push(EventKind::blocking_end, d.task, lane, lane_job_[lane - 1]);
        lane_busy_[lane - 1] = false;
        wake(d.task, 0, trace::WakeSource::blocking);
        continue;
      }
      if (t.timer != d.id || (t.wait != Wait::timer && t.wait != Wait::inbox)) continue;  // cancelled
      push(EventKind::timer_fired, d.task, d.id, 0);
      t.timer = 0;
      t.timer_fired = true;
      wake(d.task, 0, trace::WakeSource::timer);
    }
  }

  void poll_main() {
    push(EventKind::poll_begin, 1, 0, 0);
    // Spawns are spread over the first 70% of the trace, so every task is spawned.
    const double progress = static_cast<double>(trace_.size()) / (0.7 * static_cast<double>(target_));
    const auto due = std::min<std::uint32_t>(
        task_count_, long_lived + 1 + static_cast<std::uint32_t>(progress * (task_count_ - long_lived - 1)));
    while (spawned_ < due) spawn(spawned_ + 1, 1, spawned_ < long_lived + 1 ? worker_site_ : conn_site_);
    if (trace_.size() / 1'000'000 > marks_) {
      ++marks_;
      push(EventKind::mark, 1, 0, checkpoint_name_);
    }
    arm(1, 100);
    park(1, Wait::timer, locations_[0]);
  }

  void poll_task(std::uint32_t id) {
    Task& t = tasks_[id];
    push(EventKind::poll_begin, id, 0, 0);
    if (t.select_node != 0) {  // the select resolves: one branch won, the other is dropped mid-flight
      const std::uint32_t select = t.select_node, recv = select + 1, sleep = select + 2;
      if (t.timer_fired) {
        push(EventKind::future_dropped, id, recv, 0, 0);
        push(EventKind::future_dropped, id, sleep, 0, 1);
      } else {
        push(EventKind::timer_cancelled, id, t.timer, 0);
        t.timer = 0;
        push(EventKind::future_dropped, id, sleep, 0, 0);
        push(EventKind::channel_recv, id, id, --t.buffered,
             static_cast<std::uint16_t>(trace::RecvResult::received));
        push(EventKind::future_dropped, id, recv, 0, 1);
      }
      push(EventKind::future_dropped, id, select, 0, 1);
      t.select_node = 0;
    }
    if (!t.long_lived && --t.polls_left == 0) {
      push(EventKind::poll_end, id, 0, 0, static_cast<std::uint16_t>(trace::PollResult::ready));
      push(EventKind::task_completed, id, 0, 0, static_cast<std::uint16_t>(trace::Outcome::ok));
      push(EventKind::resource_dropped, id, id, 0);
      t.wait = Wait::done;
      tasks_[alive_.back()].alive_at = t.alive_at;
      alive_[t.alive_at] = alive_.back();
      alive_.pop_back();
      return;
    }
    const std::uint64_t action = rng_.below(100);
    if (action < 35) {  // sleep
      arm(id, t.long_lived ? rng_.between(500, 2000) : rng_.between(50, 5000));
      park(id, Wait::timer, locations_[1]);
    } else if (action < 60) {  // send to another task's inbox, then yield
      const std::uint32_t to = alive_[rng_.below(alive_.size())];
      Task& r = tasks_[to];
      if (to == id) {
        // no one else to talk to: just yield
      } else if (r.buffered >= inbox_capacity) {
        push(EventKind::channel_send, id, to, r.buffered,
             static_cast<std::uint16_t>(trace::SendResult::full));
      } else {
        push(EventKind::channel_send, id, to, ++r.buffered,
             static_cast<std::uint16_t>(trace::SendResult::sent));
        if (r.wait == Wait::inbox) {
          push(EventKind::waker_dropped, to, id, 0);
          wake(to, id, trace::WakeSource::channel);
        }
      }
      yield_now(id);
    } else if (action < 85) {  // receive, with a timeout when the inbox is empty
      if (t.buffered > 0) {
        push(EventKind::channel_recv, id, id, --t.buffered,
             static_cast<std::uint16_t>(trace::RecvResult::received));
        yield_now(id);
      } else {
        push(EventKind::channel_recv, id, id, 0, static_cast<std::uint16_t>(trace::RecvResult::empty));
        t.select_node = nodes_ + 1;
        nodes_ += 3;
        const auto select = static_cast<std::uint16_t>(trace::FutureNode::select);
        const auto branch = static_cast<std::uint16_t>(trace::FutureNode::branch);
        push(EventKind::future_created, id, t.select_node, 0, select);
        push(EventKind::future_created, id, t.select_node + 1, t.select_node, branch);
        push(EventKind::future_created, id, t.select_node + 2, t.select_node,
             static_cast<std::uint16_t>(branch | 1u << 8));
        arm(id, rng_.between(1000, 3000));
        park(id, Wait::inbox, locations_[2]);
      }
    } else if (action < 99) {  // compute, then yield
      const std::uint64_t busy_us = rng_.between(1, 40);
      now_ += busy_us * 1000;
      if (busy_us > 30)
        push(EventKind::lint, id, static_cast<std::uint32_t>(busy_us), locations_[3],
             static_cast<std::uint16_t>(trace::LintKind::long_poll));
      yield_now(id);
    } else {  // spawn_blocking on a free lane, and wait for it
      std::uint32_t lane = 0;
      for (std::uint32_t l = 0; l < blocking_lanes && lane == 0; ++l)
        if (!lane_busy_[l]) lane = l + 1;
      if (lane == 0) {
        yield_now(id);
        return;
      }
      lane_busy_[lane - 1] = true;
      lane_job_[lane - 1] = ++jobs_;
      push(EventKind::blocking_begin, id, lane, jobs_);
      due_.push(Due{now_ + rng_.between(1'000'000, 10'000'000), id, lane | blocking_flag});
      park(id, Wait::blocking, locations_[3]);
    }
  }

  std::size_t target_;
  std::uint32_t task_count_;
  std::uint64_t mean_polls_ = 0;
  trace::Trace trace_;
  Xorshift rng_{0x9E3779B97F4A7C15ull};
  std::uint64_t now_ = 0;
  std::vector<Task> tasks_;
  std::vector<std::uint32_t> alive_;
  std::deque<std::uint32_t> queue_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  std::vector<std::uint32_t> locations_;
  std::uint32_t main_site_ = 0, worker_site_ = 0, conn_site_ = 0, inbox_name_ = 0, checkpoint_name_ = 0;
  std::uint32_t spawned_ = 0, timers_ = 0, nodes_ = 0, jobs_ = 0, marks_ = 0;
  bool lane_busy_[blocking_lanes] = {};
  std::uint32_t lane_job_[blocking_lanes] = {};
};

// --- measuring -----------------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU time of this (single-threaded) process: on a machine shared with compilers the wall clock also
// counts the time others ran, so both are reported.
double cpu_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Wall and CPU milliseconds of one step.
struct Stopwatch {
  Clock::time_point wall = Clock::now();
  double cpu = cpu_ms();
  std::pair<double, double> lap() {
    const std::pair<double, double> r{ms_since(wall), cpu_ms() - cpu};
    wall = Clock::now();
    cpu = cpu_ms();
    return r;
  }
};

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one;
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}
std::size_t peak_resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

const char* verdict(bool ok) { return ok ? "PASS" : "MISS"; }

struct Options {
  std::size_t events = 10'000'000;
  std::uint32_t tasks = 10'000;
  std::filesystem::path file = "/tmp/asynclab_visualizer_bench.altrace";
  bool keep = false;
};

// Generates and saves the trace in a child process, so the parent's memory figures start clean.
bool generate(const Options& o) {
  const pid_t child = ::fork();
  if (child < 0) return false;
  if (child == 0) {
    const auto t0 = Clock::now();
    trace::Trace t = Generator(o.events, o.tasks).run();
    const double generated = ms_since(t0);
    const auto t1 = Clock::now();
    if (auto saved = trace::save(t, o.file); !saved) {
      std::fprintf(stderr, "visualizer_bench: %s\n", saved.error().c_str());
      std::_Exit(1);
    }
    std::printf("generated %zu events in %.0f ms, saved %s (%.0f MB) in %.0f ms\n", t.size(), generated,
                o.file.c_str(), static_cast<double>(std::filesystem::file_size(o.file)) / 1e6, ms_since(t1));
    std::fflush(stdout);
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct Zoom {
  const char* name;
  double fraction;  // of the whole trace; 0: exactly one poll
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "visualizer_bench: %.*s needs a value\n", static_cast<int>(a.size()), a.data());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--events")
      o.events = std::stoull(std::string(value()));
    else if (a == "--tasks")
      o.tasks = static_cast<std::uint32_t>(std::stoul(std::string(value())));
    else if (a == "--file")
      o.file = std::string(value());
    else if (a == "--keep")
      o.keep = true;
    else {
      std::puts("usage: visualizer_bench [--events N] [--tasks M] [--file PATH] [--keep]");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  const std::string load_average_at_start = load_average();
  if (!generate(o)) {
    std::fprintf(stderr, "visualizer_bench: generating the trace failed\n");
    return 1;
  }

  // --- load -------------------------------------------------------------------------------------
  const std::size_t rss_before = resident_bytes();
  Stopwatch watch;
  auto loaded = trace::load(o.file);
  const auto load_ms = watch.lap();
  if (!loaded) {
    std::fprintf(stderr, "visualizer_bench: %s: %s\n", o.file.c_str(), loaded.error().to_string().c_str());
    return 1;
  }
  const trace::Trace& t = *loaded;
  const vis::TraceIndex index(t);
  const auto index_ms = watch.lap();
  const vis::StateTimeline timeline(index);
  const auto timeline_ms = watch.lap();
  const vis::LaneIndex lane_index(index);
  const auto lanes_ms = watch.lap();
  const std::size_t rss_after = resident_bytes();
  if (!o.keep) std::filesystem::remove(o.file);

  if (index.tasks().empty() || index.tasks().front().polls.empty()) {
    std::fprintf(
        stderr,
        "visualizer_bench: the loaded trace has no polled task: the file did not load back as saved\n");
    return 1;
  }
  const double n = static_cast<double>(t.size());
  std::size_t polls = 0;
  for (const vis::TaskInfo& task : index.tasks()) polls += task.polls.size();
  std::size_t channel_events = 0, cancelled = 0;
  for (const vis::ResourceInfo& r : index.resources()) channel_events += r.events.size();
  for (const vis::FutureNodeInfo& f : index.future_nodes())
    cancelled += !f.completed && f.dropped_event != vis::npos;
  std::printf(
      "\ntrace: %zu events, %zu tasks, %zu polls, %zu wakes, %zu timers, %zu channel events, %zu select "
      "branches "
      "dropped mid-flight, %zu lints, %zu blocking jobs, %.1f s of run time\n",
      t.size(), index.tasks().size(), polls, index.wakes().size(), index.timers().size(), channel_events,
      cancelled, index.lints().size(), index.blocking().size(),
      static_cast<double>(index.run().end_ns) / 1e9);

  const double load_total = load_ms.first + index_ms.first + timeline_ms.first + lanes_ms.first;
  const double load_cpu = load_ms.second + index_ms.second + timeline_ms.second + lanes_ms.second;
  std::printf("(machine load average at start: %s on %ld cores; CPU times count only this process)\n",
              load_average_at_start.c_str(), ::sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("\nload                            wall ms   cpu ms\n");
  std::printf("  trace::load (read + validate)  %8.0f %8.0f\n", load_ms.first, load_ms.second);
  std::printf("  TraceIndex                     %8.0f %8.0f\n", index_ms.first, index_ms.second);
  std::printf("  StateTimeline (stride %6zu)   %8.0f %8.0f\n", timeline.stride(), timeline_ms.first,
              timeline_ms.second);
  std::printf("  LaneIndex                      %8.0f %8.0f\n", lanes_ms.first, lanes_ms.second);
  std::printf("  total                          %8.0f %8.0f   target <= 3000 ms (wall)   %s\n", load_total,
              load_cpu, verdict(load_total <= 3000));

  const double ev_b = static_cast<double>(t.event_bytes_reserved()) / n;
  const double ix_b = static_cast<double>(index.memory_bytes()) / n;
  const double tl_b = static_cast<double>(timeline.memory_bytes()) / n;
  const double li_b = static_cast<double>(lane_index.memory_bytes()) / n;
  const double accounted = ev_b + ix_b + tl_b + li_b;
  const double rss_b = static_cast<double>(rss_after > rss_before ? rss_after - rss_before : 0) / n;
  std::printf("\nmemory                           B/event\n");
  std::printf("  trace events                   %8.1f\n", ev_b);
  std::printf("  TraceIndex                     %8.1f\n", ix_b);
  std::printf("  StateTimeline                  %8.1f\n", tl_b);
  std::printf("  LaneIndex                      %8.1f\n", li_b);
  std::printf("  total accounted                %8.1f   target <= 64 B/event %s\n", accounted,
              verdict(accounted <= 64));
  std::printf("  resident set growth (statm)    %8.1f   target <= 64 B/event %s\n", rss_b,
              verdict(rss_b <= 64));
  std::printf("  peak resident set (VmHWM)      %8.0f MB (the file's bytes are held while they are parsed)\n",
              static_cast<double>(peak_resident_bytes()) / 1e6);

  // --- frames -----------------------------------------------------------------------------------
  const std::vector<vis::Lane> lanes = vis::default_lanes(index);
  const vis::TaskInfo& first_task = index.tasks().front();
  const Zoom zooms[] = {
      {"everything", 1}, {"1/100", 1e-2}, {"1/10,000", 1e-4}, {"1/1,000,000", 1e-6}, {"one poll", 0}};
  const vis::Axis axes[] = {vis::Axis::time, vis::Axis::sequence};
  auto viewport = [&](vis::Axis axis, const Zoom& z, std::size_t lane_count) {
    vis::TimelineViewport v;
    v.width_px = 1600;
    v.first_lane = 0;
    v.lane_count = lane_count;
    v.axis = axis;
    const double extent = vis::axis_extent_end(index, axis);
    if (z.fraction > 0) {
      v.begin = extent / 2 - extent * z.fraction / 2;
      v.end = extent / 2 + extent * z.fraction / 2;
    } else {  // the first lane's poll nearest the middle of the trace
      const auto it =
          std::lower_bound(first_task.polls.begin(), first_task.polls.end(), t.size() / 2,
                           [](const vis::PollSpan& p, std::size_t e) { return p.begin_event < e; });
      const vis::PollSpan& p = it == first_task.polls.end() ? first_task.polls.back() : *it;
      v.begin = axis == vis::Axis::time ? static_cast<double>(p.begin_ns) : p.begin_event;
      v.end = axis == vis::Axis::time ? static_cast<double>(p.end_ns) : p.end_event + 1.0;
    }
    return v;
  };
  std::vector<vis::DrawCmd> cmds;
  // Median wall and CPU milliseconds of one frame's layout.
  auto frame_ms = [&](const vis::TimelineViewport& v, int runs) {
    vis::layout_timeline(lane_index, lanes, v, cmds);  // warm: the buffer grows once
    std::vector<double> wall, cpu;
    for (int r = 0; r < runs; ++r) {
      Stopwatch frame;
      vis::layout_timeline(lane_index, lanes, v, cmds);
      const auto [w, c] = frame.lap();
      wall.push_back(w);
      cpu.push_back(c);
    }
    return std::pair<double, double>{median(wall), median(cpu)};
  };

  std::printf("\nframe: 1600 px, 40 lanes on screen (lanes 0-39), median of 31 runs, wall ms / cpu ms\n");
  std::printf("  %-12s %14s %15s %8s %14s %15s %8s\n", "zoom", "time span", "ms", "cmds", "event span", "ms",
              "cmds");
  double worst = 0, worst_cpu = 0;
  for (const Zoom& z : zooms) {
    std::printf("  %-12s", z.name);
    for (vis::Axis axis : axes) {
      const vis::TimelineViewport v = viewport(axis, z, 40);
      const auto [ms, cpu] = frame_ms(v, 31);
      worst = std::max(worst, ms);
      worst_cpu = std::max(worst_cpu, cpu);
      const double span = v.end - v.begin;
      if (axis == vis::Axis::time)
        std::printf(" %11.3g ns %7.3f /%6.3f %8zu", span, ms, cpu, cmds.size());
      else
        std::printf(" %7.0f events %7.3f /%6.3f %8zu", span, ms, cpu, cmds.size());
    }
    std::printf("\n");
  }
  std::printf("  slowest frame %.3f ms wall, %.3f ms cpu   target <= 8 ms (wall)   %s\n", worst, worst_cpu,
              verdict(worst <= 8));
  std::printf("  all %zu lanes visible (no target):", lanes.size());
  for (vis::Axis axis : axes) {
    const vis::TimelineViewport v = viewport(axis, zooms[0], lanes.size());
    const auto [ms, cpu] = frame_ms(v, 5);
    std::printf("  %s axis %.1f ms (cpu %.1f), %zu cmds;", axis == vis::Axis::time ? "time" : "sequence", ms,
                cpu, cmds.size());
  }
  std::printf("\n");

  // --- seeks ------------------------------------------------------------------------------------
  std::mt19937_64 rng(42);
  std::vector<double> seeks;
  for (int i = 0; i < 100; ++i) {
    const std::size_t cursor = rng() % (t.size() + 1);
    const auto s0 = Clock::now();
    const vis::WorldState s = timeline.state_at(cursor);
    seeks.push_back(ms_since(s0) * 1000);
    if (s.cursor != cursor)
      std::fprintf(stderr, "visualizer_bench: state_at(%zu) stopped at %zu\n", cursor, s.cursor);
  }
  std::printf(
      "\nseek: StateTimeline::state_at at 100 random cursors: median %.0f us, worst %.0f us (no target)\n",
      median(seeks), *std::max_element(seeks.begin(), seeks.end()));

  // Stepping back, as the ← key does: the GUI's state is moved one event back at a time from a
  // random place, 200 times (checkpoints left by the first seek keep each step short).
  vis::WorldState moving = timeline.state_at(t.size() / 2 + 12345);
  std::vector<double> steps;
  for (int i = 0; i < 200; ++i) {
    const auto s0 = Clock::now();
    timeline.seek(moving, moving.cursor - 1);
    steps.push_back(ms_since(s0) * 1000);
  }
  std::printf("step back: StateTimeline::seek one event back, 200 times: median %.0f us, worst %.0f us (no target)\n",
              median(steps), *std::max_element(steps.begin(), steps.end()));
  std::printf("state snapshots and checkpoints now: %.1f B/event\n",
              static_cast<double>(timeline.memory_bytes()) / static_cast<double>(t.size()));
  return 0;
}
