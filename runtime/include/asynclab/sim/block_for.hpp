#pragma once
// sim::block_for — stands for blocking work (a CPU-heavy loop, a synchronous read) in lessons and
// exercises, so its cost shows on the timeline without burning real time.
//
// Rules:
// * Inside a task it holds the worker for d: no other task runs meanwhile. In virtual time the clock
//   moves by d during the poll (so the poll is a long poll, and the lint fires past the threshold);
//   in real time the thread really sleeps for d.
// * Inside a spawn_blocking job it occupies that job's blocking lane for d instead, and the worker
//   goes on polling tasks: the whole point of spawn_blocking.
// * Outside any runtime it simply blocks the calling thread for d.
// * The trace shows blocking_begin / blocking_end (lane 0: the worker itself).
#include "asynclab/time/clock.hpp"

namespace asynclab::sim {

void block_for(Duration d);

}  // namespace asynclab::sim
