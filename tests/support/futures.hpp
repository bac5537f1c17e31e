#pragma once
// Hand-written futures for the runtime tests — the `impl Future for X` of the Rust documents, each
// doing one thing so a test can watch exactly how the runtime polls and wakes it.
//
// Rules:
// * Each keeps the Future contract (a Pending answer has arranged a wake) unless its name says it
//   breaks it on purpose (ForgetfulFuture loses its waker, to provoke the lost-waker report).
// * Counters and logs live outside the future (pointers), so they can be read after the future is
//   gone; a future never outlives the test that owns those counters.
#include <string>
#include <utility>

#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/waker.hpp"
#include "support/harness.hpp"

namespace asynclab::testing {

// Ready at once with a value; counts its polls.
template <class T>
class ReadyFuture {
 public:
  using Output = T;
  explicit ReadyFuture(T value, int* polls = nullptr, Log* log = nullptr, std::string name = {})
      : value_(std::move(value)), polls_(polls), log_(log), name_(std::move(name)) {}
  Poll<T> poll(Context&) {
    if (polls_) ++*polls_;
    if (log_) log_->push_back(name_ + " polled");
    return Poll<T>::ready(value_);
  }

 private:
  T value_;
  int* polls_;
  Log* log_;
  std::string name_;
};

// Pending `times` times, waking itself by reference each time (as yield_now does), then Ready with
// the number of polls it took.
class PendingTimes {
 public:
  using Output = int;
  PendingTimes(int times, int* polls, Log* log = nullptr) : times_(times), polls_(polls), log_(log) {}
  Poll<int> poll(Context& cx) {
    ++*polls_;
    ++mine_;
    if (log_) log_->push_back("leaf poll " + std::to_string(mine_));
    if (mine_ > times_) return Poll<int>::ready(mine_);
    cx.waker().wake_by_ref();
    return Poll<int>::pending();
  }

 private:
  int times_;
  int* polls_;
  Log* log_;
  int mine_ = 0;
};

// Never ready; keeps a clone of the latest waker (so it is not a lost waker), counts and logs polls.
class ParkedForever {
 public:
  using Output = void;
  explicit ParkedForever(int* polls = nullptr, Log* log = nullptr) : polls_(polls), log_(log) {}
  Poll<void> poll(Context& cx) {
    if (polls_) ++*polls_;
    if (log_) log_->push_back("parked polled at " + std::to_string(elapsed().count() / 1'000'000) + " ms");
    if (!waker_.will_wake(cx.waker())) waker_ = cx.waker();
    return Poll<void>::pending();
  }

 private:
  int* polls_;
  Log* log_;
  Waker waker_;
};

// Breaks the contract on purpose: returns Pending without storing or waking the waker, so nothing
// can ever wake its task again.
class ForgetfulFuture {
 public:
  using Output = int;
  explicit ForgetfulFuture(int* polls = nullptr) : polls_(polls) {}
  Poll<int> poll(Context&) {
    if (polls_) ++*polls_;
    return Poll<int>::pending();
  }

 private:
  int* polls_;
};

// Ready at once with a clone of the polling task's waker: how a test body gets hold of its waker.
struct CurrentWaker {
  using Output = Waker;
  Poll<Waker> poll(Context& cx) { return Poll<Waker>::ready(cx.waker().clone()); }
};
inline CurrentWaker current_waker() { return {}; }

// Polls a borrowed future exactly once and reports whether it was Ready.
template <class F>
class PollOnce {
 public:
  using Output = bool;
  explicit PollOnce(F& inner) : inner_(&inner) {}
  Poll<bool> poll(Context& cx) { return Poll<bool>::ready(inner_->poll(cx).is_ready()); }

 private:
  F* inner_;
};
template <class F>
PollOnce<F> poll_once(F& inner) {
  return PollOnce<F>(inner);
}

// A one-shot event set from outside any task: `wait()` is pending until `fire()`, which wakes the
// stored waker. Lets a test drive a future by hand with its own Waker.
class Signal {
 public:
  class Wait {
   public:
    using Output = void;
    explicit Wait(Signal& s) : signal_(&s) {}
    Poll<void> poll(Context& cx) {
      if (signal_->fired_) return Poll<void>::ready();
      if (!signal_->waker_.will_wake(cx.waker())) signal_->waker_ = cx.waker();
      return Poll<void>::pending();
    }

   private:
    Signal* signal_;
  };
  Wait wait() { return Wait(*this); }
  void fire() {
    fired_ = true;
    waker_.wake();
  }
  bool has_waker() const { return !waker_.empty(); }

 private:
  bool fired_ = false;
  Waker waker_;
};

}  // namespace asynclab::testing
