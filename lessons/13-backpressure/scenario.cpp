// Lesson 13 — backpressure: a fast producer, a slow consumer, and the channel between them.
//
// The producer makes a job every `producer_ms` and sends it; the consumer takes `consumer_ms` over
// each. The producer is faster, so jobs pile up in the channel. With a bounded channel the pile
// stops at `capacity`: the producer's send waits for a free slot, and from then on the producer
// runs at the consumer's pace. With an unbounded channel nothing ever says "wait": the pile grows
// by every job the consumer has not reached yet, and in a program that runs for ever, for ever.
#include "engine/scenario.hpp"
#include "asynclab/asynclab.hpp"

namespace asynclab::lessons {

namespace {

using namespace std::chrono_literals;
namespace mpsc = sync::mpsc;

// tx.send(job).await: waits while every slot is taken. That wait is the backpressure.
Task<void> produce_bounded(mpsc::Sender<int> tx, int jobs, Duration pace) {
  for (int job = 1; job <= jobs; ++job) {
    if (pace > 0ms) co_await sleep(pace);  // making the job
    auto sent = co_await tx.send(job);
    if (!sent) co_return;  // the consumer is gone
  }
  mark("producer done");
}

// tx.send(job): an unbounded send never waits, so the producer never learns it is too fast.
Task<void> produce_unbounded(mpsc::UnboundedSender<int> tx, int jobs, Duration pace) {
  for (int job = 1; job <= jobs; ++job) {
    if (pace > 0ms) co_await sleep(pace);
    if (!tx.send(job)) co_return;
  }
  mark("producer done");
}

// The same consumer for both flavours: take a job, spend `pace` on it, until the channel ends.
template <class Receiver>
Task<void> consume(Receiver rx, Duration pace) {
  int handled = 0;
  while (auto job = co_await rx.recv()) {
    co_await sleep(pace);  // handling it
    ++handled;
  }
  say("consumer: {} jobs handled", handled);
  mark("all jobs handled");
}

Task<void> pipeline(bool bounded, int capacity, int jobs, Duration producer_pace, Duration consumer_pace) {
  if (bounded) {
    auto [tx, rx] = mpsc::channel<int>(static_cast<std::size_t>(capacity), "jobs");
    auto producer = spawn(produce_bounded(std::move(tx), jobs, producer_pace), "producer");
    auto consumer = spawn(consume(std::move(rx), consumer_pace), "consumer");
    (void)co_await producer;
    say("producer: all {} jobs sent", jobs);
    (void)co_await consumer;
  } else {
    auto [tx, rx] = mpsc::unbounded_channel<int>("jobs");
    auto producer = spawn(produce_unbounded(std::move(tx), jobs, producer_pace), "producer");
    auto consumer = spawn(consume(std::move(rx), consumer_pace), "consumer");
    (void)co_await producer;
    say("producer: all {} jobs sent", jobs);
    (void)co_await consumer;
  }
}

}  // namespace

void scenario_13_backpressure(ScenarioRun& run) {
  const auto& p = run.params();
  run.block_on(pipeline(p.flag("bounded"), static_cast<int>(p.integer("capacity")),
                        static_cast<int>(p.integer("jobs")), p.millis("producer_ms"),
                        p.millis("consumer_ms")));
}

}  // namespace asynclab::lessons
