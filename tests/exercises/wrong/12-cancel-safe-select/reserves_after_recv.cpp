// expect-verdict: failed
// expect-message: never reached the outbox
// Known wrong: uses a Permit, but takes the message out of the inbox first and reserves after: the
// reservation waits for room with the message in hand, and a tick drops both.
#include <optional>
#include <variant>

#include "asynclab/asynclab.hpp"
#include "relay.hpp"

using namespace asynclab;
using namespace relay_world;

Task<bool> forward_next(sync::mpsc::Receiver<int>& inbox, sync::mpsc::Sender<int>& outbox) {
  auto message = co_await inbox.recv();
  if (!message) co_return false;
  auto permit = co_await outbox.reserve();
  if (!permit) co_return false;
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
