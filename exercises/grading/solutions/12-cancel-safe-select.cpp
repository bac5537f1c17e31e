// Reference solution of exercise 12: the select races only rx.recv(), which is cancel safe — dropped,
// it has taken nothing — and the message is decoded in the arm, after the race is over.
#include <variant>

#include "asynclab/asynclab.hpp"
#include "consumer.hpp"

using namespace asynclab;
using namespace consumer;

Task<void> consume(sync::mpsc::Receiver<int> rx) {
  auto heartbeat = interval(heartbeat_every);
  for (;;) {
    auto next = co_await select(rx.recv(), heartbeat.tick());
    if (next.index() == 1) {
      beat();
      continue;
    }
    auto message = std::get<0>(next);
    if (!message) break;        // the channel is closed and drained
    co_await decode(*message);  // nothing races this: no select can drop it halfway
  }
}
