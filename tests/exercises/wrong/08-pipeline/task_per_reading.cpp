// expect-verdict: failed
// expect-message: was archived at
// Known wrong: "faster" producers that spawn one task per reading, measuring them all at once. The
// readings are all ready at 2 ms, and which task sends first is up to the scheduler: a channel keeps
// the order of each sender, but here every reading has its own sender.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "pipeline.hpp"

using namespace asynclab;
using namespace pipeline;

Task<void> measure_and_send(std::string sensor, int seq, sync::mpsc::Sender<Reading> tx) {
  auto reading = co_await measure(std::move(sensor), seq);
  (void)co_await tx.send(std::move(reading));
}

Task<void> run_pipeline(std::vector<Sensor> sensors, std::size_t capacity) {
  auto [tx, rx] = sync::mpsc::channel<Reading>(capacity, "readings");
  for (const auto& sensor : sensors)
    for (int seq = 1; seq <= sensor.readings; ++seq)
      (void)spawn(measure_and_send(sensor.name, seq, tx), sensor.name);
  { auto mine = std::move(tx); }
  while (auto reading = co_await rx.recv()) co_await archive(std::move(*reading));
}
