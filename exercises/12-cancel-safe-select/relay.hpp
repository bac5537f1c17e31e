#pragma once
// The world of exercise 12: a stream of messages, the slow reader they are forwarded to, and the
// heartbeat the relay must keep sending. Don't edit this file: the grader compiles it as it is, next
// to your exercise.cpp.
//
// * The grader's producer sends messages 1, 2, ..., `messages` into the inbox, one every
//   `message_every`, then drops its sender: the inbox closes.
// * The outbox holds one message. The grader's reader takes one out every `read_every`, so most of
//   the time the outbox is full and a send to it waits.
// * beat() sends one heartbeat; the relay calls it each time its heartbeat interval ticks.
#include <chrono>
#include <vector>

#include "asynclab/asynclab.hpp"

namespace relay_world {

using namespace std::chrono_literals;

inline constexpr int messages = 8;
inline constexpr asynclab::Duration message_every = 40ms;
inline constexpr std::size_t outbox_capacity = 1;
inline constexpr asynclab::Duration read_every = 70ms;
inline constexpr asynclab::Duration heartbeat_every = 10ms;

inline std::vector<asynclab::Duration>& beats() {
  static std::vector<asynclab::Duration> sent;
  return sent;
}

inline void beat() { beats().push_back(asynclab::now().time_since_epoch()); }

}  // namespace relay_world
