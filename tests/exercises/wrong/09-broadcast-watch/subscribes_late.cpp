// expect-verdict: failed
// expect-message: worker 1 never handled event 1
// Known wrong: each worker subscribes by itself, inside its own task. A task first runs when its
// spawner yields, and the dispatcher sends event 1 before that: a receiver sees only what is sent
// after it subscribed, so every worker misses it — and no Lagged report covers that.
#include <cstddef>
#include <utility>

#include "asynclab/asynclab.hpp"
#include "service.hpp"

using namespace asynclab;
using namespace service;

Task<void> worker(int id, sync::broadcast::Sender<Event> hub, sync::watch::Receiver<Config> config) {
  auto events = hub.subscribe();
  { auto done = std::move(hub); }  // only needed it to subscribe; keeping it would keep the channel open
  for (;;) {
    auto event = co_await events.recv();
    if (!event) {
      if (!event.error().is_lagged()) break;
      report_lagged(id, event.error().skipped());
      continue;
    }
    const Config current = *config.borrow_and_update();
    co_await handle(id, *event, current);
  }
}

Task<void> run_service(Script script, std::size_t capacity, int workers) {
  auto [events_tx, first_rx] = sync::broadcast::channel<Event>(capacity, "events");
  auto [config_tx, config_rx] = sync::watch::channel<Config>(Config{1}, "config");
  { auto unread = std::move(first_rx); }
  JoinSet<void> crew;
  for (int id = 1; id <= workers; ++id)
    crew.spawn(worker(id, events_tx, config_rx), fmt::format("worker {}", id));
  co_await play(std::move(script), std::move(events_tx), std::move(config_tx));
  while (co_await crew.join_next()) {
  }
}
