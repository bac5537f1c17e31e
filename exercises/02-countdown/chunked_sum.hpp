#pragma once
// Given for exercise 02 — read it, but leave it as it is: a future that adds up a list of numbers.
// You write its `impl Future`, the body of ChunkedSum::poll, in exercise.cpp.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "asynclab/asynclab.hpp"

struct [[nodiscard("futures are lazy: ChunkedSum does nothing until it is awaited")]] ChunkedSum {
  using Output = std::uint64_t;  // type Output = u64;

  // The most numbers one poll may add: a poll is a turn on the executor, and a long turn keeps
  // every other task on this thread waiting.
  static constexpr std::size_t chunk = 1000;

  const std::vector<std::uint32_t>* numbers = nullptr;  // what to add up (outlives the future)
  std::size_t next = 0;                                 // the first number not added yet
  std::uint64_t total = 0;                              // the sum of the numbers added so far

  // A poll may read only the numbers it adds, (*numbers)[next] up to (*numbers)[next + chunk - 1]:
  // the rest of the list is not its business this turn (the grader checks this).

  // fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output>
  asynclab::Poll<std::uint64_t> poll(asynclab::Context& cx);
};
