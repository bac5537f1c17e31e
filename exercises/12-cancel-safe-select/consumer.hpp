#pragma once
// The world of exercise 12: a stream of messages, the slow decoder they go through, and the
// heartbeat the consumer must keep sending. Don't edit this file: the grader compiles it as it is,
// next to your exercise.cpp.
//
// * The grader's producer sends messages 1, 2, ..., `messages` into the channel, one every
//   `message_every`, then drops its sender: the channel closes.
// * decode(message) takes `decode_time` and files the message as decoded. A decode that is dropped
//   before it finishes files nothing: that message is lost.
// * beat() sends one heartbeat; the consumer calls it each time its heartbeat interval ticks.
#include <chrono>
#include <vector>

#include "asynclab/asynclab.hpp"

namespace consumer {

using namespace std::chrono_literals;

inline constexpr int messages = 8;
inline constexpr asynclab::Duration message_every = 40ms;
inline constexpr asynclab::Duration decode_time = 25ms;
inline constexpr asynclab::Duration heartbeat_every = 10ms;

struct Decoded {
  int message = 0;
  asynclab::Duration at{};
};
inline std::vector<Decoded>& decoded() {
  static std::vector<Decoded> filed;
  return filed;
}
inline std::vector<asynclab::Duration>& beats() {
  static std::vector<asynclab::Duration> sent;
  return sent;
}

inline asynclab::Task<void> decode(int message) {
  co_await asynclab::sleep(decode_time);
  decoded().push_back(Decoded{message, asynclab::now().time_since_epoch()});
}

inline void beat() { beats().push_back(asynclab::now().time_since_epoch()); }

}  // namespace consumer
