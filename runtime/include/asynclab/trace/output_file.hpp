#pragma once
// Writing a file a user named (`-o FILE`, a saved trace, a screenshot, progress) so that a reader
// never sees half of it, and so that nothing but a regular file is ever replaced.
//
// Rules:
// * A regular file (or a new one) is written to a temporary file beside it and renamed over it.
// * A symbolic link is followed: its target is written as above (the link stays a link). A link to
//   nothing is refused.
// * A character device (`/dev/null`, a terminal) or a named pipe is written through, as `cp` would:
//   it is never replaced by a regular file — run as root, `-o /dev/null` must not replace the
//   system's /dev/null. A named pipe nobody reads is refused instead of waited on.
// * A directory, a block device or a socket is refused, and the message says which it is.
// * Every error names the file: "cannot write 'out/x.json': it is a directory, ...".
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace asynclab::trace {

std::expected<void, std::string> write_output_file(const std::filesystem::path& path, std::string_view bytes);

}  // namespace asynclab::trace
