#pragma once
// Given for exercise 02 — read it, but leave it as it is: seed B's `struct MyFuture { count: u32 }`.
// You write its `impl Future`, the body of MyFuture::poll, in exercise.cpp.
#include <cstdint>

#include "asynclab/asynclab.hpp"

struct [[nodiscard("futures are lazy: MyFuture does nothing until it is awaited")]] MyFuture {
  using Output = std::uint32_t;  // type Output = u32;

  std::uint32_t count = 0;

  // fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output>
  asynclab::Poll<std::uint32_t> poll(asynclab::Context& cx);
};
