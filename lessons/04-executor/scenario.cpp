// Lesson 04 — the executor.
//
// Seed A: "Think of the executor as your ADHD brain constantly switching between tasks." Here the
// brain is asynclab's executor, and the tasks are the thoughts the seed's author juggles. main
// spawns them, yields so each gets its first poll (each parks on a doorbell of its own), then rings
// the doorbells in `wake_order`. Ringing a doorbell only wakes a thought: it puts its token at the
// back of the run queue. The executor then takes tokens from the front, so the thoughts run in
// exactly the order they were woken.
#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

// The seed's distracted author, one thought per task (the first two are the meme's captions).
constexpr std::array<const char*, 8> thoughts = {
    "blog post",    "door locked?", "landlord",    "twitch stream",
    "gourmet meal", "zoom meeting", "pizza money", "coffee machine",
};

// Where a parked thought leaves its waker, and the flag its wake means.
struct Doorbell {
  bool rung = false;
  Waker waker;

  // Wakes whoever waits here. Waking never runs anything: it only puts the task in line.
  void ring() {
    rung = true;
    waker.wake();  // consumes the stored clone, like Rust's `waker.wake()`
  }
};

// A hand-written future (lesson 03's kind, this time doing it right): Pending until the doorbell
// rings, keeping a clone of the task's waker on the doorbell so the ring can find the task.
struct WaitForDoorbell {
  using Output = void;
  std::shared_ptr<Doorbell> bell;

  Poll<void> poll(Context& cx) {
    if (bell->rung) return Poll<void>::ready();
    if (!bell->waker.will_wake(cx.waker())) bell->waker = cx.waker();  // clone only when it changed
    return Poll<void>::pending();
  }
};

Task<void> think(std::shared_ptr<Doorbell> bell, std::string thought) {
  say("{}: first poll, parked until its doorbell rings", thought);
  // Named before it is awaited: GCC 12 copies a braced temporary with non-trivial members (here a
  // shared_ptr) into the frame bit for bit and destroys it twice (runtime/README.md).
  WaitForDoorbell doorbell{std::move(bell)};
  co_await doorbell;
  say("{}: polled again after its wake", thought);
}

// The order main rings the doorbells in, as indexes into the spawn order.
std::vector<std::size_t> ring_order(std::size_t n, const std::string& order, std::uint64_t seed) {
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = i;
  if (order == "reverse") {
    std::reverse(out.begin(), out.end());
  } else if (order == "shuffled") {
    // Fisher-Yates with the run's seed written out, so every standard library shuffles alike.
    std::mt19937_64 random(seed);
    for (std::size_t i = n - 1; i > 0; --i) std::swap(out[i], out[random() % (i + 1)]);
  }
  return out;
}

Task<void> brain(std::vector<std::size_t> order) {
  const std::size_t n = order.size();
  std::vector<std::shared_ptr<Doorbell>> bells;
  std::vector<JoinHandle<void>> handles;
  for (std::size_t i = 0; i < n; ++i) {
    bells.push_back(std::make_shared<Doorbell>());
    handles.push_back(spawn(think(bells[i], thoughts[i]), thoughts[i]));  // a token joins the line
  }
  mark("all spawned");
  say("main: spawned {} thoughts; none has run yet", n);

  // Give the worker back: main wakes itself and goes to the back of the line, behind every thought.
  co_await yield_now();
  mark("everyone parked");

  for (std::size_t i : order) {
    say("main: ringing the doorbell of \"{}\"", thoughts[i]);
    bells[i]->ring();
  }
  mark("all woken");

  for (auto& handle : handles) {
    auto joined = co_await handle;
    if (!joined) say("main: a thought ended with {}", joined.error().to_string());
  }
  mark("all done");
}

}  // namespace

void scenario_04_executor(ScenarioRun& run) {
  const auto& p = run.params();
  const auto n = static_cast<std::size_t>(p.integer("tasks"));
  run.block_on(brain(ring_order(n, p.choice("wake_order"), run.seed())));
}

}  // namespace asynclab::lessons
