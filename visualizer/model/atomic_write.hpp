#pragma once
// Writing an output file (a screenshot, a UI report) so that a reader never sees half of it: the
// bytes go to a temporary file next to the target, which is then renamed over it. Only a regular
// file is ever replaced: the runtime's trace::write_output_file (trace/output_file.hpp) does the work
// and states the rules; this is the visualizer's name for it.
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace asynclab::vis {

// On failure, says which file could not be written and why ("cannot write 'out/x.png': No such
// file or directory").
std::expected<void, std::string> write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace asynclab::vis
