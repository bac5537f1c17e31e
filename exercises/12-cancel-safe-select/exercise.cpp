// Exercise 12 — a cancel-safe select loop. Read README.md first; `asynclab grade 12` checks your work
// and `asynclab hint 12` gives a hint. consumer.hpp (don't edit it) has decode(), beat() and the
// timings.
#include <optional>
#include <variant>

#include "asynclab/asynclab.hpp"
#include "consumer.hpp"

using namespace asynclab;
using namespace consumer;

// Takes the next message out of the channel and decodes it; nullopt once the channel is closed.
Task<std::optional<int>> next_decoded(sync::mpsc::Receiver<int>& rx) {
  auto message = co_await rx.recv();
  if (!message) co_return std::nullopt;
  co_await decode(*message);
  co_return message;
}

// The consumer: decodes every message that arrives on `rx`, and sends a heartbeat (beat()) each time
// its heartbeat interval ticks, until the channel is closed.
Task<void> consume(sync::mpsc::Receiver<int> rx) {
  auto heartbeat = interval(heartbeat_every);
  for (;;) {
    // TODO: when the tick wins, select drops the other branch. Make sure that dropping it can never
    // lose a message.
    auto next = co_await select(next_decoded(rx), heartbeat.tick());
    if (next.index() == 1) {
      beat();
      continue;
    }
    if (!std::get<0>(next)) break;  // the channel is closed and drained
  }
}
