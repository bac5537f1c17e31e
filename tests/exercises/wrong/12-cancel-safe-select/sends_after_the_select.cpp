// expect-verdict: failed
// expect-message: no heartbeat from
// Known wrong: lesson 10's fix, copied: race only recv() and forward after the select. Nothing is
// lost, but the send after the select waits for the slow reader while no tick can win.
#include <optional>
#include <variant>

#include "asynclab/asynclab.hpp"
#include "relay.hpp"

using namespace asynclab;
using namespace relay_world;

Task<void> relay(sync::mpsc::Receiver<int> inbox, sync::mpsc::Sender<int> outbox) {
  auto heartbeat = interval(heartbeat_every);
  for (;;) {
    auto next = co_await select(inbox.recv(), heartbeat.tick());
    if (next.index() == 1) {
      beat();
      continue;
    }
    auto& message = std::get<0>(next);
    if (!message) break;
    (void)co_await outbox.send(*message);
  }
}
