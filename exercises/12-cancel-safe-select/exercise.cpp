// Exercise 12 — a cancel-safe select loop. Read README.md first; `asynclab grade 12` checks your work
// and `asynclab hint 12` gives a hint. relay.hpp (don't edit it) has beat() and the timings.
#include <variant>

#include "asynclab/asynclab.hpp"
#include "relay.hpp"

using namespace asynclab;
using namespace relay_world;

// Moves the next message from the inbox to the outbox; false once the inbox is closed and drained.
Task<bool> forward_next(sync::mpsc::Receiver<int>& inbox, sync::mpsc::Sender<int>& outbox) {
  auto message = co_await inbox.recv();
  if (!message) co_return false;
  (void)co_await outbox.send(*message);  // the outbox is full most of the time: this waits
  co_return true;
}

// The relay: forwards every message of `inbox` to `outbox`, in order, and sends a heartbeat (beat())
// each time its heartbeat interval ticks, until the inbox is closed.
Task<void> relay(sync::mpsc::Receiver<int> inbox, sync::mpsc::Sender<int> outbox) {
  auto heartbeat = interval(heartbeat_every);
  for (;;) {
    // TODO: when the tick wins, select drops the other branch. Make sure that dropping it can never
    // lose a message — and that the heartbeat still wins while the outbox is full.
    auto next = co_await select(forward_next(inbox, outbox), heartbeat.tick());
    if (next.index() == 1) {
      beat();
      continue;
    }
    if (!std::get<0>(next)) break;  // the inbox is closed and drained
  }
}
