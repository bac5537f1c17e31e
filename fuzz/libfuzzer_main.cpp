// The libFuzzer entry of one target (fuzz/CMakeLists.txt compiles this once per target, naming it in
// ASYNCLAB_FUZZ_TARGET).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  asynclab::fuzz::ASYNCLAB_FUZZ_TARGET(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
