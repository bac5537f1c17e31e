// expect-verdict: failed
// expect-message: with config version 3, but version 4 had been in force since 27 ms
// Known wrong: a subtler stale copy. The worker reads the config at the top of each round, then
// waits for the next event: a reload that arrives while it waits is missed for that event.
#include <cstddef>
#include <utility>

#include "asynclab/asynclab.hpp"
#include "service.hpp"

using namespace asynclab;
using namespace service;

Task<void> worker(int id, sync::broadcast::Receiver<Event> events, sync::watch::Receiver<Config> config) {
  for (;;) {
    const Config current = *config.borrow_and_update();
    auto event = co_await events.recv();
    if (!event) {
      if (!event.error().is_lagged()) break;
      report_lagged(id, event.error().skipped());
      continue;
    }
    co_await handle(id, *event, current);
  }
}

Task<void> run_service(Script script, std::size_t capacity, int workers) {
  auto [events_tx, first_rx] = sync::broadcast::channel<Event>(capacity, "events");
  auto [config_tx, config_rx] = sync::watch::channel<Config>(Config{1}, "config");
  { auto unread = std::move(first_rx); }
  JoinSet<void> crew;
  for (int id = 1; id <= workers; ++id)
    crew.spawn(worker(id, events_tx.subscribe(), config_rx), fmt::format("worker {}", id));
  co_await play(std::move(script), std::move(events_tx), std::move(config_tx));
  while (co_await crew.join_next()) {
  }
}
