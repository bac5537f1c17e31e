// ASYNCLAB_MAIN writes main() the way #[tokio::main] does: on the multi_thread runtime, and this
// program's exit status is its async main's return value, run by CTest (see tests/CMakeLists.txt).
// No timers: it runs in real time.
#include <sys/syscall.h>
#include <unistd.h>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

namespace {

// The process's first thread has the process id as its thread id: anything else is a worker thread.
bool on_worker_thread() { return syscall(SYS_gettid) != getpid(); }

Task<int> twice(int x) {
  co_await yield_now();
  co_return on_worker_thread() ? 2 * x : -1;
}

Task<int> async_main() {
  auto handle = spawn(twice(21), "worker");
  auto value = co_await handle;
  // 0 means every claim held: the spawned task ran on a worker thread of this runtime and its value
  // came back.
  co_return value && *value == 42 ? 0 : 1;
}

}  // namespace

ASYNCLAB_MAIN(async_main)
