#pragma once
// Task<T>: an `async fn` — a lazy C++20 coroutine that is itself a Future.
//
// Rules:
// * Lazy: creating a Task runs nothing. The body starts at the first poll (Rust's futures are
//   lazy too). A Task destroyed before its first poll is a forgotten future; the runtime records it.
// * Poll-driven: `co_await f` polls `f` once with the current Context. Ready: the coroutine goes on
//   without suspending. Pending: the coroutine suspends, remembers `f` as its leaf, and Pending
//   travels up to the executor. The next poll of the Task re-polls the leaf first and resumes the
//   coroutine only when the leaf is Ready — exactly how a Rust `async fn` state machine behaves.
// * Pinned: the coroutine frame is allocated once and never moves; moving a Task moves the handle.
// * Dropping a Task destroys its frame wherever it is suspended: every local's destructor runs, and
//   so does the destructor of the future it was awaiting — that is cancellation.
// * An exception escaping the body is rethrown to whoever polls the Task (the awaiting coroutine, at
//   its co_await); escaping a spawned task, it becomes the task's panic (JoinError::is_panic()).
// * `co_await` accepts Futures only, and captures the source location of each await so the
//   runtime can say where a task is parked.
#include <cassert>
#include <coroutine>
#include <exception>
#include <optional>
#include <source_location>
#include <type_traits>
#include <stdexcept>
#include <utility>

#include "asynclab/detail/frame_pool.hpp"
#include "asynclab/detail/scheduler.hpp"
#include "asynclab/future.hpp"
#include "asynclab/poll.hpp"
#include "asynclab/waker.hpp"

namespace asynclab {

template <class T>
class Task;

namespace detail {

// The awaiter a body is suspended on, seen from the Task: something to re-poll.
struct Leaf {
  bool (*repoll)(Leaf* self, Context& cx);  // true once the awaited future is Ready (or threw)
};

// What a coroutine frame keeps for the poll protocol, whatever its result type. Small on purpose:
// it is part of every coroutine frame.
// Where the coroutine being created right now was defined: set by the frame's operator new, read by
// the promise's constructor, which the compiler runs right after it.
inline thread_local std::source_location frame_origin;

struct PromiseBase {
  PromiseBase() : origin(frame_origin) {}

  // The Context of the poll running the body right now; null until the first poll, so it also
  // tells whether the Task was ever polled.
  Context* cx = nullptr;
  // The future the body is suspended on. Re-polled first on the next poll; the body resumes only
  // once it is Ready.
  Leaf* leaf = nullptr;
  std::exception_ptr error;
  // The coroutine function this frame belongs to, so a forgotten future can be named.
  std::source_location origin;

  std::suspend_always initial_suspend() noexcept { return {}; }
  std::suspend_always final_suspend() noexcept { return {}; }
  void unhandled_exception() { error = std::current_exception(); }

  // The default argument is evaluated where the compiler allocates the frame, inside the coroutine
  // function itself, so it names that function (GCC and Clang both do this).
  //
  // The compiler first calls operator new with the frame's size followed by the coroutine's own
  // parameters (and, for a member or a lambda, the object); only when no overload takes those does
  // it call operator new(size). GCC falls back quietly; Clang reports the mismatch as an error. So
  // one overload per parameter count, each with the location after them, takes those calls too.
  static void* allocate_frame(std::size_t n, std::source_location where) {
    void* p = FramePool::allocate(n);
    frame_origin = where;
    return p;
  }
  static void* operator new(std::size_t n, std::source_location where = std::source_location::current()) {
    return allocate_frame(n, where);
  }
  template <class A>
  static void* operator new(std::size_t n, A&&, std::source_location where = std::source_location::current()) {
    return allocate_frame(n, where);
  }
  template <class A, class B>
  static void* operator new(std::size_t n, A&&, B&&, std::source_location where = std::source_location::current()) {
    return allocate_frame(n, where);
  }
  template <class A, class B, class C>
  static void* operator new(std::size_t n, A&&, B&&, C&&, std::source_location where = std::source_location::current()) {
    return allocate_frame(n, where);
  }
  template <class A, class B, class C, class D>
  static void* operator new(std::size_t n, A&&, B&&, C&&, D&&,
                            std::source_location where = std::source_location::current()) {
    return allocate_frame(n, where);
  }
  template <class A, class B, class C, class D, class E>
  static void* operator new(std::size_t n, A&&, B&&, C&&, D&&, E&&,
                            std::source_location where = std::source_location::current()) {
    return allocate_frame(n, where);
  }
  template <class A, class B, class C, class D, class E, class F>
  static void* operator new(std::size_t n, A&&, B&&, C&&, D&&, E&&, F&&,
                            std::source_location where = std::source_location::current()) {
    return allocate_frame(n, where);
  }
  // More parameters than that: the frame is made all the same, without a location to name it by.
  template <class... Args>
    requires(sizeof...(Args) > 6)
  static void* operator new(std::size_t n, Args&&...) {
    return allocate_frame(n, std::source_location{});
  }
  static void operator delete(void* p, std::size_t n) noexcept { FramePool::deallocate(p, n); }

  template <class F>
  auto await_transform(F&& future, std::source_location loc = std::source_location::current());
};

// `co_await library_await(future)` in asynclab's own coroutines (http::get's sleep, the server's
// reads): it parks the task like any other await, but leaves saying where to the learner's co_await
// that called into the library, so "parked at", the Code window and the lints show the line the
// learner wrote, not sim.cpp's. Only a task with no await of its own around it (net::http::serve's
// connections) is parked at the library's line. Decided at compile time: a learner's await pays
// nothing for it. The future must outlive the co_await: name it (`auto reading = ...;`).
template <class F>
struct LibraryAwait {
  using future_type = F;
  F& future;
};
template <class F>
LibraryAwait<F> library_await(F& future) {
  return {future};
}
template <class F>
void library_await(F&& future) = delete;  // name the future first: `auto a = library_await(sleep(d));` would dangle
template <class T>
inline constexpr bool is_library_await = false;
template <class F>
inline constexpr bool is_library_await<LibraryAwait<F>> = true;

// The awaiter behind every `co_await future` in a Task body. `Names` false: a library_await.
template <class F, bool Names = true>
class FutureAwaiter : Leaf {
 public:
  using Out = output_t<F>;

  FutureAwaiter(F& future, std::source_location loc) : Leaf{&repoll}, future_(&future), location_(loc) {}

  bool await_ready() const noexcept { return false; }

  template <class P>
  bool await_suspend(std::coroutine_handle<P> h) {
    PromiseBase& p = h.promise();
    // Polled here rather than in await_ready because only await_suspend can reach the promise (and
    // so the Context). An exception thrown by poll surfaces at the co_await in the body.
    Context& cx = *p.cx;
    auto saved = cx.take_park();
    auto r = future_->poll(cx);
    if (r.is_ready()) {
      cx.restore_park(saved);
      store(std::move(r));
      return false;  // go on without suspending
    }
    if constexpr (Names) cx.park_at(location_);
    else cx.park_in_library(location_);
    p.leaf = this;
    return true;
  }

  Out await_resume() {
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    if constexpr (!std::is_void_v<Out>) return std::move(*value_);
  }

 private:
  void store(Poll<Out>&& r) {
    if constexpr (!std::is_void_v<Out>) value_.emplace(r.take());
  }
  static bool repoll(Leaf* self, Context& cx) {
    auto* a = static_cast<FutureAwaiter*>(self);
    auto saved = cx.take_park();
    try {
      auto r = a->future_->poll(cx);
      if (r.is_pending()) {
        if constexpr (Names) cx.park_at(a->location_);
        else cx.park_in_library(a->location_);
        return false;
      }
      cx.restore_park(saved);
      a->store(std::move(r));
    } catch (...) {
      a->error_ = std::current_exception();  // rethrown inside the body by await_resume
    }
    return true;
  }

  F* future_;
  std::source_location location_;
  std::optional<stored_t<Out>> value_;
  std::exception_ptr error_;
};

template <class F>
auto PromiseBase::await_transform(F&& future, std::source_location loc) {
  if constexpr (is_library_await<std::remove_cvref_t<F>>) {
    return FutureAwaiter<typename std::remove_cvref_t<F>::future_type, false>(future.future, loc);
  } else {
    static_assert(Future<std::remove_reference_t<F>>,
                  "co_await in an asynclab::Task works on Futures (Task, JoinHandle, sleep, select, "
                  "a type with `Output` and `Poll<Output> poll(Context&)`)");
    return FutureAwaiter<std::remove_reference_t<F>>(future, loc);
  }
}

template <class T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object();
  template <class U = T>
    requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) {
    value.emplace(std::forward<U>(v));
  }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object();
  void return_void() {}
};

}  // namespace detail

template <class T = void>
class [[nodiscard("futures are lazy: a Task does nothing until it is awaited or spawned")]] Task {
 public:
  using Output = T;
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task(Task&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      destroy();
      h_ = std::exchange(other.h_, nullptr);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { destroy(); }

  Poll<T> poll(Context& cx) {
    // Tokio panics the same way; reachable through borrow(task) once the task has finished.
    if (!h_ || h_.done()) [[unlikely]]
      polled_after_completion();
    auto& p = h_.promise();
    p.cx = &cx;
    if (p.leaf) {
      if (!p.leaf->repoll(p.leaf, cx)) return Poll<T>::pending();
      p.leaf = nullptr;
    }
    h_.resume();
    if (!h_.done()) return Poll<T>::pending();
    if (p.error) std::rethrow_exception(std::exchange(p.error, nullptr));
    if constexpr (std::is_void_v<T>) {
      return Poll<void>::ready();
    } else {
      return Poll<T>::ready(std::move(*p.value));
    }
  }

  // Out of line and cold, so that poll stays small enough to inline into the run loop.
  [[noreturn, gnu::cold, gnu::noinline]] static void polled_after_completion() {
    throw std::logic_error("`async fn` resumed after completion: this Task has already finished (or was moved from)");
  }

  bool started() const { return h_ && h_.promise().cx != nullptr; }
  bool done() const { return h_ && h_.done(); }

 private:
  friend struct detail::Promise<T>;
  explicit Task(Handle h) : h_(h) {}
  void destroy() {
    if (!h_) return;
    if (!h_.promise().cx) {
      if (auto* s = detail::Scheduler::current()) s->forgotten_future(&h_.promise().origin);
    }
    std::exchange(h_, nullptr).destroy();
  }
  Handle h_;
};

namespace detail {
template <class T>
Task<T> Promise<T>::get_return_object() {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

}  // namespace asynclab
