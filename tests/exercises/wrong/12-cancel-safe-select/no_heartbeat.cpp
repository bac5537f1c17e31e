// expect-verdict: failed
// expect-message: and sent no heartbeat at all
// Known wrong: "fixed" by removing the race. Nothing is lost any more, but nothing else happens while
// the consumer waits or decodes: the heartbeat is gone.
#include "asynclab/asynclab.hpp"
#include "consumer.hpp"

using namespace asynclab;
using namespace consumer;

Task<void> consume(sync::mpsc::Receiver<int> rx) {
  while (auto message = co_await rx.recv()) co_await decode(*message);
}
