// Exercise 09 — broadcast and watch: fan-out and config reload. Read README.md first;
// `asynclab grade 09` checks your work and `asynclab hint 09` gives a hint. service.hpp (don't edit
// it) has the types, play(), handle() and report_lagged().
#include <cstddef>
#include <utility>

#include "asynclab/asynclab.hpp"
#include "service.hpp"

using namespace asynclab;
using namespace service;

// One worker: handles every event the dispatcher broadcasts, each with the config in force at the
// moment it starts handling it, until the events channel closes.
Task<void> worker(int id, sync::broadcast::Receiver<Event> events, sync::watch::Receiver<Config> config) {
  // TODO: use the latest config for each event, and when recv() says this worker lagged behind,
  // report it (report_lagged) and carry on — only a closed channel ends the loop.
  const Config current = *config.borrow();
  for (;;) {
    auto event = co_await events.recv();
    if (!event) break;  // the channel is closed: the dispatcher is done
    co_await handle(id, *event, current);
  }
}

// The service: `workers` workers (ids 1, 2, ...) all receive the same events through one broadcast
// channel that keeps `capacity` of them, and read the config from one watch channel; play() then
// runs the script. Returns when every worker is done.
Task<void> run_service(Script script, std::size_t capacity, int workers) {
  auto [events_tx, first_rx] = sync::broadcast::channel<Event>(capacity, "events");
  auto [config_tx, config_rx] = sync::watch::channel<Config>(Config{1}, "config");
  { auto unread = std::move(first_rx); }  // every worker subscribes its own receiver: drop this one
  JoinSet<void> crew;
  for (int id = 1; id <= workers; ++id)
    crew.spawn(worker(id, events_tx.subscribe(), config_rx), fmt::format("worker {}", id));
  co_await play(std::move(script), std::move(events_tx), std::move(config_tx));
  while (co_await crew.join_next()) {
  }
}
