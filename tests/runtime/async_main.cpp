// ASYNCLAB_MAIN writes main() the way #[tokio::main] does: this program's exit status is its async
// main's return value, run by CTest (see tests/CMakeLists.txt). No timers: it runs in real time.
#include "asynclab/asynclab.hpp"

using namespace asynclab;

namespace {

Task<int> twice(int x) {
  co_await yield_now();
  co_return 2 * x;
}

Task<int> async_main() {
  auto handle = spawn(twice(21), "worker");
  auto value = co_await handle;
  // 0 means every claim held: the spawned task ran on this runtime and its value came back.
  co_return value && *value == 42 ? 0 : 1;
}

}  // namespace

ASYNCLAB_MAIN(async_main)
