// Reference solution of exercise 08: a bounded channel, one producer task per sensor holding its own
// clone of the sender, and main dropping its sender before it starts receiving.
#include <cstddef>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "pipeline.hpp"

using namespace asynclab;
using namespace pipeline;

Task<void> produce(Sensor sensor, sync::mpsc::Sender<Reading> tx) {
  for (int seq = 1; seq <= sensor.readings; ++seq) {
    auto reading = co_await measure(sensor.name, seq);
    auto sent = co_await tx.send(std::move(reading));  // waits while the channel is full
    if (!sent) co_return;
  }
}  // this producer's sender is dropped here

Task<void> run_pipeline(std::vector<Sensor> sensors, std::size_t capacity) {
  auto [tx, rx] = sync::mpsc::channel<Reading>(capacity, "readings");
  for (const auto& sensor : sensors) (void)spawn(produce(sensor, tx), sensor.name);
  { auto mine = std::move(tx); }  // drop(tx): from now on only the producers hold senders
  while (auto reading = co_await rx.recv()) co_await archive(std::move(*reading));
}
