// expect-verdict: deadlock
// expect-message: with "main" waiting in recv() for ever
// Known wrong: a bounded channel, but main keeps its own sender, so recv() never answers None: once
// every reading is archived the consumer waits for ever on a channel only it could still send to.
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
  for (const auto& sensor : sensors) (void)spawn(produce(sensor, tx), sensor.name);
  while (auto reading = co_await rx.recv()) co_await archive(std::move(*reading));
}
