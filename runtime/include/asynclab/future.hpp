#pragma once
// The Future concept — Rust's `trait Future { type Output; fn poll(self: Pin<&mut Self>, cx) }`.
//
// Rules:
// * A future does nothing until polled. Creating one has no effect; dropping one unpolled is the
//   "forgotten future" mistake (the runtime records it for futures it can see: every Task).
// * `poll` is called with the Context of the task being polled. Returning Pending obliges the
//   future to have arranged a wake (see poll.hpp).
// * Pinning: once polled, a future is not moved. Coroutine frames never move; a hand-written future
//   lives inside the task cell, join/select node or coroutine frame that polls it, all of which are
//   fixed in memory. Moving a future before its first poll is fine (Rust allows the same).
#include <concepts>
#include <type_traits>
#include <variant>

#include "asynclab/poll.hpp"

namespace asynclab {

class Context;

template <class F>
concept Future = requires(F& f, Context& cx) {
  typename std::remove_cvref_t<F>::Output;
  { f.poll(cx) } -> std::same_as<Poll<typename std::remove_cvref_t<F>::Output>>;
};

template <Future F>
using output_t = typename std::remove_cvref_t<F>::Output;

// A value type standing for a future's output where `void` cannot be stored (join's tuple, select's
// variant, a task's result slot): `void` becomes std::monostate, everything else stays itself.
template <class T>
using stored_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

}  // namespace asynclab
