// expect-verdict: failed
// expect-message: the channel "readings" is unbounded
// Known wrong: the consumer ends properly (main drops its sender), but the channel has no bound: the
// producers never wait, and the readings pile up in the buffer faster than the archive takes them.
#include <cstddef>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "pipeline.hpp"

using namespace asynclab;
using namespace pipeline;

Task<void> produce(Sensor sensor, sync::mpsc::UnboundedSender<Reading> tx) {
  for (int seq = 1; seq <= sensor.readings; ++seq) {
    auto reading = co_await measure(sensor.name, seq);
    if (!tx.send(std::move(reading))) co_return;
  }
}

Task<void> run_pipeline(std::vector<Sensor> sensors, std::size_t capacity) {
  (void)capacity;
  auto [tx, rx] = sync::mpsc::unbounded_channel<Reading>("readings");
  for (const auto& sensor : sensors) (void)spawn(produce(sensor, tx), sensor.name);
  { auto mine = std::move(tx); }
  while (auto reading = co_await rx.recv()) co_await archive(std::move(*reading));
}
