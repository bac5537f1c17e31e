// expect-verdict: failed
// expect-message: by the future inside a timeout that was dropped mid-flight at 40 ms
// Known wrong: a timeout is a select against a sleep. Wrapping "take a message and decode it" in a
// heartbeat-long timeout drops it at the deadline, halfway through decoding — with the message in it.
#include <optional>

#include "asynclab/asynclab.hpp"
#include "consumer.hpp"

using namespace asynclab;
using namespace consumer;

Task<std::optional<int>> next_decoded(sync::mpsc::Receiver<int>& rx) {
  auto message = co_await rx.recv();
  if (!message) co_return std::nullopt;
  co_await decode(*message);
  co_return message;
}

Task<void> consume(sync::mpsc::Receiver<int> rx) {
  for (;;) {
    auto got = co_await timeout(heartbeat_every, next_decoded(rx));
    if (!got) {
      beat();  // nothing decoded within a heartbeat: send one
      continue;
    }
    if (!*got) break;
  }
}
