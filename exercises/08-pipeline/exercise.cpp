// Exercise 08 — a pipeline over mpsc. Read README.md first; `asynclab grade 08` checks your work and
// `asynclab hint 08` gives a hint. pipeline.hpp (don't edit it) has measure(), archive() and the types.
#include <cstddef>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "pipeline.hpp"

using namespace asynclab;
using namespace pipeline;

// A producer: measures its sensor's readings 1, 2, ... in order and sends each into the channel.
Task<void> produce(Sensor sensor, sync::mpsc::UnboundedSender<Reading> tx) {
  for (int seq = 1; seq <= sensor.readings; ++seq) {
    auto reading = co_await measure(sensor.name, seq);
    if (!tx.send(std::move(reading))) co_return;  // the consumer is gone: nobody to send to
  }
}

// The pipeline: one producer task per sensor, all sending into ONE channel that holds at most
// `capacity` readings; this task is the consumer. It archives every reading, one at a time, in the
// order it receives them, and returns once every producer is done and every reading is archived.
Task<void> run_pipeline(std::vector<Sensor> sensors, std::size_t capacity) {
  // TODO: a channel that never holds more than `capacity` readings (the producers wait when it is
  // full), and a consumer loop that ends when every producer is done.
  (void)capacity;
  auto [tx, rx] = sync::mpsc::unbounded_channel<Reading>("readings");
  for (const auto& sensor : sensors) (void)spawn(produce(sensor, tx), sensor.name);
  while (auto reading = co_await rx.recv()) co_await archive(std::move(*reading));
}
