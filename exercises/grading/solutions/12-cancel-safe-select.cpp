// Reference solution of exercise 12 (a cancel-safe select loop).
#include <variant>

#include "asynclab/asynclab.hpp"
#include "relay.hpp"

using namespace asynclab;
using namespace relay_world;

// Every await in this branch is cancel safe, in this order: first a slot in the outbox (dropped, a
// reservation gives its place back and has taken nothing), then the message (dropped, recv has taken
// nothing). Once the message is out of the inbox nothing is awaited: the permit sends it at once.
// The other order, recv then send, holds a message while it waits for the outbox.
Task<bool> forward_next(sync::mpsc::Receiver<int>& inbox, sync::mpsc::Sender<int>& outbox) {
  auto permit = co_await outbox.reserve();
  if (!permit) co_return false;  // the reader is gone: nothing more to forward
  auto message = co_await inbox.recv();
  if (!message) co_return false;
  permit->send(*message);
  co_return true;
}

Task<void> relay(sync::mpsc::Receiver<int> inbox, sync::mpsc::Sender<int> outbox) {
  auto heartbeat = interval(heartbeat_every);
  for (;;) {
    auto next = co_await select(forward_next(inbox, outbox), heartbeat.tick());
    if (next.index() == 1) {
      beat();
      continue;
    }
    if (!std::get<0>(next)) break;
  }
}
