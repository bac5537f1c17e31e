// expect-verdict: failed
// expect-message: the Delay's poll that began at 0 ms answered Ready at 250 ms: that poll held the worker
// Known wrong: waits inside poll (sim::block_for stands for std::this_thread::sleep_for). Done at the
// deadline with one poll — but the worker was held the whole time, and no other task could run.
#include "asynclab/asynclab.hpp"
#include "delay.hpp"

using namespace asynclab;

Poll<void> Delay::poll(Context&) {
  if (now() < deadline) sim::block_for(deadline - now());
  return Poll<void>::ready();
}
