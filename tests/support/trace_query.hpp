#pragma once
// The tests ask their questions of a trace through the runtime's TraceQuery (asynclab/trace/query.hpp),
// under the names they have always used.
#include "asynclab/trace/query.hpp"

namespace asynclab::testing {
using trace::any_task;
using trace::TraceQuery;
}  // namespace asynclab::testing
