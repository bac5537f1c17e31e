// expect-verdict: failed
// expect-message: without recv() ever answering None
// Known wrong: the consumer keeps its sender and stops after counting the readings it expects. It
// ends, but only because it knew the total in advance; recv() never said the producers were done.
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
    auto sent = co_await tx.send(std::move(reading));
    if (!sent) co_return;
  }
}

Task<void> run_pipeline(std::vector<Sensor> sensors, std::size_t capacity) {
  auto [tx, rx] = sync::mpsc::channel<Reading>(capacity, "readings");
  int expected = 0;
  for (const auto& sensor : sensors) {
    expected += sensor.readings;
    (void)spawn(produce(sensor, tx), sensor.name);
  }
  for (int n = 0; n < expected; ++n) {
    auto reading = co_await rx.recv();
    co_await archive(std::move(*reading));
  }
}
