// expect-verdict: failed
// expect-message: never reached the outbox
// Known wrong: keeps the heartbeat alive by bounding the send with a 5 ms timeout, and moves on when
// it runs out: the message taken out of the inbox is simply dropped whenever the outbox is full.
#include <optional>
#include <variant>

#include "asynclab/asynclab.hpp"
#include "relay.hpp"

using namespace asynclab;
using namespace relay_world;

Task<bool> forward_next(sync::mpsc::Receiver<int>& inbox, sync::mpsc::Sender<int>& outbox) {
  auto message = co_await inbox.recv();
  if (!message) co_return false;
  (void)co_await timeout(5ms, outbox.send(*message));
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
