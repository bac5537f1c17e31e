#pragma once
// How the learner starts asynclab, for the commands it suggests ("stuck? asynclab hint 04"). A learner
// who follows the README types `scripts/run.sh hint 04` and has no `asynclab` on their PATH, so
// scripts/run.sh says how it was called (ASYNCLAB_INVOKED_AS) and every suggestion, and every
// `asynclab ...` command in a lesson, README or hint printed in the terminal, reads that way.
//
// Rules:
// * invoked_as() is ASYNCLAB_INVOKED_AS when it is set to a plausible command (printable, at most 200
//   characters; single-quoted when it holds a space), else "asynclab".
// * with_invocation() rewrites "asynclab" followed by a space and one of asynclab's own subcommands
//   (lessons, run, grade, hint, ...) where it starts a word; anything else saying "asynclab" (the
//   project's name, a path) is left alone.
#include <string>
#include <string_view>

namespace asynclab::cli {

std::string invoked_as();
std::string with_invocation(std::string_view text);

}  // namespace asynclab::cli
