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
#include <deque>
#include <expected>
#include <memory>
#include <optional>
#include <source_location>
#include <string_view>
#include <vector>

#include "asynclab/spawn.hpp"

namespace asynclab {

template <class T>
class JoinSet {
  struct State;
  struct Entry {
    State* set;  // valid while the entry is in the set: the set resets every join waker it gave out
    detail::TaskOutput<T>* cell;
    std::uint32_t wakers = 0;  // join wakers pointing at this entry
    bool done = false;
    bool taken = false;
  };
  struct State {
    std::vector<std::unique_ptr<Entry>> entries;
    std::deque<Entry*> done;
    Waker waiter;
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
    Poll<Output> poll(Context& cx) { return set_->poll_join_next(cx); }

   private:
    JoinSet* set_;
  };
  JoinNext join_next() { return JoinNext(*this); }

 private:
  static void* wake_clone(void* data) {
    ++static_cast<Entry*>(data)->wakers;
    return data;
  }
  static void wake_by_ref(void* data) {
    auto* e = static_cast<Entry*>(data);
    if (e->done || !e->set) return;
    e->done = true;
    e->set->done.push_back(e);
    e->set->waiter.wake_by_ref();
  }
  static void wake_drop(void* data) { --static_cast<Entry*>(data)->wakers; }
  static void wake(void* data) {
    wake_by_ref(data);
    wake_drop(data);
  }
  static constexpr WakerVTable entry_waker{&wake_clone, &wake, &wake_by_ref, &wake_drop};

  void adopt(JoinHandle<T>&& handle) {
    auto entry = std::make_unique<Entry>();
    entry->set = state_.get();
    // The set takes the handle's reference to the cell and points its join waker at the entry.
    entry->cell = handle.release_cell();
    ++entry->wakers;
    entry->cell->join_waker = Waker(&entry_waker, entry.get());
    if (entry->cell->is_complete()) wake_by_ref(entry.get());
    ++state_->live;
    state_->entries.push_back(std::move(entry));
  }

  Poll<std::optional<Result>> poll_join_next(Context& cx) {
    State& s = *state_;
    if (!s.done.empty()) {
      Entry* e = s.done.front();
      s.done.pop_front();
      e->taken = true;
      --s.live;
      JoinHandle<T> handle(std::exchange(e->cell, nullptr));  // takes over the reference
      auto r = handle.poll(cx);  // complete: ready at once, releases the cell
      compact();
      return Poll<std::optional<Result>>::ready(std::optional<Result>(r.take()));
    }
    if (s.live == 0) return Poll<std::optional<Result>>::ready(std::nullopt);
    if (!s.waiter.will_wake(cx.waker())) s.waiter = cx.waker();
    return Poll<std::optional<Result>>::pending();
  }

  // Entries whose result was taken are freed once no join waker points at them any more.
  void compact() {
    std::erase_if(state_->entries, [](const std::unique_ptr<Entry>& e) { return e->taken && e->wakers == 0; });
  }

  void release(Entry& e) {
    e.set = nullptr;
    if (e.cell) {
      e.cell->join_waker.reset();
      std::exchange(e.cell, nullptr)->release();
    }
  }

  std::unique_ptr<State> state_;
};

}  // namespace asynclab
