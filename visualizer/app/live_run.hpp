#pragma once
// LiveRun: `asynclab gui --live` — a program running on its own thread, on a real-time runtime whose
// recorder streams every event to the GUI as it happens (model/live_feed.hpp). The shell's session
// is the live trace: update() grows it as the events arrive.
//
// Rules:
// * The program gets the Recorder to build its runtime with (`Runtime::builder().trace(recorder)`),
//   already attached to the feed's stream, and a stop token: it should end on its own after a
//   bounded time, and soon after a stop is requested (the window closed early).
// * Threads: the program's thread owns the runtime; the GUI thread owns everything else. They meet
//   only in the feed's stream and its finished flag. The destructor requests a stop and joins —
//   unless the program has not ended `stop_grace` after that (a runtime that hangs): then the thread
//   is let go, and the state it uses (feed, recorder), which it co-owns, stays alive with it, so
//   closing the window never hangs.
// * An exception escaping the program ends the run; its message is kept for the status line.
// * update() runs once per frame on the GUI thread: it reads the stream, and when the feed says a
//   re-indexing is due, grows the session, timing the indexing for the next pace.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "asynclab/trace/recorder.hpp"
#include "model/live_feed.hpp"
#include "model/session.hpp"

namespace asynclab::vis {

// A program to watch live: builds its runtime with the recorder given, runs, returns.
using LiveProgram = std::function<void(trace::Recorder&, std::stop_token)>;

class LiveRun {
 public:
  LiveRun(std::string title, LiveProgram program, LiveFeedLimits limits = {});
  ~LiveRun();
  LiveRun(const LiveRun&) = delete;
  LiveRun& operator=(const LiveRun&) = delete;

  const std::string& title() const { return title_; }
  const LiveFeed& feed() const { return state_->feed; }
  // Once per frame (GUI thread), with the session the live trace is in. Returns true when it grew.
  bool update(Session& session, double now_s);
  // The program threw: what it said ("" when it did not).
  std::string failure() const;

 private:
  // What the program's thread touches, shared with it so it can outlive a LiveRun that let it go.
  struct Shared {
    explicit Shared(LiveFeedLimits limits) : feed(limits) {}
    LiveFeed feed;
    trace::Recorder recorder;
    std::mutex failure_lock;
    std::string failure;
  };
  static constexpr std::chrono::milliseconds stop_grace{2000};

  std::string title_;
  std::shared_ptr<Shared> state_;
  std::jthread thread_;  // last: started when everything above exists
};

}  // namespace asynclab::vis
