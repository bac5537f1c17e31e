#pragma once
// JoinSet<T> — tokio's `task::JoinSet`: a set of spawned tasks whose results arrive in the order the
// tasks finish.
//
// Rules:
// * spawn(f, name) spawns into the set; len() counts tasks whose result has not been taken yet.
// * join_next() waits for the next task to finish — in completion order, not spawn order — and gives
//   std::optional<std::expected<T, JoinError>>: empty once the set is empty.
// * Each task's join waker points back at the set, so a finishing task files itself in the set's
//   "done" queue at once: join_next never scans the whole set.
// * abort_all() aborts every task; their cancelled results still come out of join_next.
// * Dropping the JoinSet aborts every task still in it (tokio does the same).
// * Worker threads: the set itself belongs to the task that owns it, but a task of the set may
//   finish on another worker and call its join waker at any time. What that waker touches (the
//   done queue, the waiter, an entry's flags and waker count) is guarded by a SpinLock that the
//   entries share with the set, and the waiter is woken after it is released. An entry whose
//   waker is still out when the set is dropped is left to that waker, which frees it when dropped.
#include <deque>
#include <expected>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <string_view>
#include <vector>

#include "asynclab/coop.hpp"
#include "asynclab/spawn.hpp"

namespace asynclab {

template <class T>
class JoinSet {
  struct State;
  struct Entry {
    State* set;  // under *lock; null once the set is gone (or the entry left it)
    detail::TaskOutput<T>* cell;
    std::shared_ptr<detail::SpinLock> lock;  // the set's lock, kept alive by every entry
    std::uint32_t wakers = 0;  // under *lock: join wakers pointing at this entry
    bool done = false;         // under *lock
    bool taken = false;
    bool orphaned = false;     // under *lock: the set is gone; the last waker dropped frees the entry
  };
  struct State {
    std::shared_ptr<detail::SpinLock> lock = std::make_shared<detail::SpinLock>();
    std::vector<std::unique_ptr<Entry>> entries;
    std::deque<Entry*> done;  // under *lock
    Waker waiter;             // under *lock
    std::size_t live = 0;
  };

 public:
  using Result = std::expected<T, JoinError>;

  JoinSet() : state_(std::make_unique<State>()) {}
  JoinSet(JoinSet&&) noexcept = default;
  JoinSet& operator=(JoinSet&&) noexcept = default;
  ~JoinSet() {
    if (!state_) return;
    abort_all();
    for (auto& e : state_->entries) release(*e);
    std::lock_guard lock(*state_->lock);
    for (auto& e : state_->entries) {
      if (e->wakers == 0) continue;
      e->orphaned = true;  // a finishing task still holds its waker: that waker frees it
      e.release();
    }
  }

  template <class F>
  void spawn(F&& f, std::string_view name = {}, std::source_location loc = std::source_location::current()) {
    JoinHandle<T> handle = asynclab::spawn(std::forward<F>(f), name, loc);
    adopt(std::move(handle));
  }

  std::size_t len() const { return state_->live; }
  bool is_empty() const { return state_->live == 0; }

  void abort_all() {
    for (auto& e : state_->entries)
      if (e->cell && !e->taken && !e->cell->is_complete()) e->cell->scheduler->abort(e->cell);
  }

  class [[nodiscard("futures are lazy: join_next does nothing until it is awaited")]] JoinNext {
   public:
    using Output = std::optional<Result>;
    explicit JoinNext(JoinSet& set) : set_(&set) {}
    Poll<Output> poll(Context& cx) {
      return coop::budgeted<Output>(cx, [&] { return set_->poll_join_next(cx); });
    }

   private:
    JoinSet* set_;
  };
  JoinNext join_next() { return JoinNext(*this); }

 private:
  static void* wake_clone(void* data) {
    auto* e = static_cast<Entry*>(data);
    std::lock_guard lock(*e->lock);
    ++e->wakers;
    return data;
  }
  static void wake_by_ref(void* data) {
    auto* e = static_cast<Entry*>(data);
    Waker waiter;  // woken after the lock is released
    {
      std::lock_guard lock(*e->lock);
      if (e->done || !e->set) return;
      e->done = true;
      e->set->done.push_back(e);
      waiter = e->set->waiter;
    }
    waiter.wake();
  }
  static void wake_drop(void* data) {
    auto* e = static_cast<Entry*>(data);
    bool free_it;
    {
      std::lock_guard lock(*e->lock);
      free_it = --e->wakers == 0 && e->orphaned;
    }
    if (free_it) delete e;
  }
  static void wake(void* data) {
    wake_by_ref(data);
    wake_drop(data);
  }
  static constexpr WakerVTable entry_waker{&wake_clone, &wake, &wake_by_ref, &wake_drop};

  void adopt(JoinHandle<T>&& handle) {
    auto entry = std::make_unique<Entry>();
    entry->set = state_.get();
    entry->lock = state_->lock;
    // The set takes the handle's reference to the cell and points its join waker at the entry.
    entry->cell = handle.release_cell();
    entry->wakers = 1;
    Entry* e = entry.get();
    ++state_->live;
    state_->entries.push_back(std::move(entry));
    bool finished;
    {
      // On worker threads the task may be finishing right now: the waker is stored under the
      // cell's join lock, then JOIN_WAKER set by a read-modify-write that also reads COMPLETE
      // (detail/task_header.hpp), so either the finisher wakes the entry or this sees COMPLETE.
      std::unique_lock join(e->cell->join_lock, std::defer_lock);
      if (e->cell->concurrent) join.lock();
      e->cell->join_waker = Waker(&entry_waker, e);
      if (e->cell->concurrent) finished = e->cell->state.fetch_or(detail::task_state::join_waker) & detail::task_state::complete;
      else finished = e->cell->is_complete();
    }
    if (finished) wake_by_ref(e);
  }

  Poll<std::optional<Result>> poll_join_next(Context& cx) {
    State& s = *state_;
    std::unique_lock lock(*s.lock);
    if (!s.done.empty()) {
      Entry* e = s.done.front();
      s.done.pop_front();
      lock.unlock();
      e->taken = true;
      --s.live;
      JoinHandle<T> handle(std::exchange(e->cell, nullptr));  // takes over the reference
      auto r = handle.poll(cx);  // complete: ready at once, releases the cell
      compact();
      return Poll<std::optional<Result>>::ready(std::optional<Result>(r.take()));
    }
    if (s.live == 0) return Poll<std::optional<Result>>::ready(std::nullopt);
    Waker replaced;  // dropped after the lock is released
    if (!s.waiter.will_wake(cx.waker())) replaced = std::exchange(s.waiter, cx.waker());
    lock.unlock();
    return Poll<std::optional<Result>>::pending();
  }

  // Entries whose result was taken are freed once no join waker points at them any more.
  void compact() {
    std::lock_guard lock(*state_->lock);
    std::erase_if(state_->entries, [](const std::unique_ptr<Entry>& e) { return e->taken && e->wakers == 0; });
  }

  void release(Entry& e) {
    {
      std::lock_guard lock(*e.lock);
      e.set = nullptr;
    }
    if (e.cell) {
      Waker dropped;  // dropped after the join lock is released
      {
        std::unique_lock join(e.cell->join_lock, std::defer_lock);
        if (e.cell->concurrent) join.lock();
        dropped = std::move(e.cell->join_waker);
      }
      std::exchange(e.cell, nullptr)->release();
    }
  }

  std::unique_ptr<State> state_;
};

}  // namespace asynclab
