// See atomic_write.hpp.
#include "model/atomic_write.hpp"

#include "asynclab/trace/output_file.hpp"

namespace asynclab::vis {

std::expected<void, std::string> write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  return trace::write_output_file(path, bytes);
}

}  // namespace asynclab::vis
