#pragma once
// EventFilter: "which event do you mean?" — the matcher behind lesson directives such as
// `<!-- run-until: wake task="fetch b" -->` and the GUI's breakpoints.
//
// Grammar (one line):   KIND [KEY=VALUE | KEY="quoted value"]...
//   KIND   any trace::kind_name (wake, poll_begin, poll_end, task_spawned, mark, lint, channel_send,
//          lock_acquired, stuck_wait, ...) or an alias: poll = poll_begin, spawn = task_spawned,
//          complete / done = task_completed, send = channel_send, recv = channel_recv,
//          lock = lock_acquired, deadlock = stuck_wait.
//   KEYS   task      the event's task, by name ("runtime" is task 0)       every kind
//          from      the waking task (wake) or the parent (task_spawned)   wake, task_spawned
//          source    task, timer, channel, io, blocking, runtime, budget, or self  wake
//          result    pending / ready / panicked (poll_end); sent / full / closed (channel_send);
//                    received / empty / closed / lagged (channel_recv)
//          outcome   ok / panicked / cancelled                             task_completed
//          label     the mark's label, the value's label (as recorded:     mark, channel_value
//                    label="\"order 1\"" for a string)
//          lint      forgotten_future, lost_waker, self_wake, long_poll (or their display names)
//          resource  the channel or lock, by the name it was created with  resource events
//          nth       the nth matching event of the whole trace, 1-based    every kind
//   In a quoted value, \" is a quote and \\ a backslash.
//
// Rules:
// * Parsing never throws: an unknown kind or key, a key the kind does not have, or a bad value gives
//   a message that names the offending word and lists what would be valid.
// * matches() looks at one event's own fields; `nth` is about its place in the trace, so only
//   find_next() (and the Playback's breakpoints) honour it.
// * Names are resolved against the trace being matched, through a FilterContext that builds its
//   lookups lazily; one context serves any number of filters over one trace, which must outlive it
//   and not change while it is used.
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "asynclab/trace/trace.hpp"

namespace asynclab::trace {

// Name lookups over one trace, built on first use.
class FilterContext {
 public:
  explicit FilterContext(const trace::Trace& trace) : trace_(&trace) {}
  const trace::Trace& trace() const { return *trace_; }
  // The task's name as Trace::task_name gives it; "runtime" for task 0.
  const std::string& task_name(std::uint32_t task);
  // The name a resource was created with ("" when it had none or is unknown).
  std::string_view resource_name(std::uint32_t resource);

 private:
  const trace::Trace* trace_;
  std::unordered_map<std::uint32_t, std::string> task_names_;
  std::unordered_map<std::uint32_t, std::uint32_t> resource_names_;  // resource id -> string id
  bool resources_scanned_ = false;
};

struct EventFilter {
  std::string text;  // as written (trimmed): what a breakpoint list shows
  trace::EventKind kind = trace::EventKind::wake;
  std::optional<std::string> task;
  std::optional<std::string> from;
  std::optional<trace::WakeSource> source;
  bool self_wake = false;               // source=self: the task woke itself
  std::optional<std::uint16_t> result;  // the event's flags: a PollResult, SendResult or RecvResult
  std::optional<trace::Outcome> outcome;
  std::optional<std::string> label;
  std::optional<trace::LintKind> lint;
  std::optional<std::string> resource;
  std::uint32_t nth = 0;  // 0: any occurrence

  // Whether this event has the kind and every field asked for (nth is not looked at).
  bool matches(FilterContext& context, const trace::Event& e) const;
  // The same with a context made for the call: fine for one event; for many, keep a FilterContext.
  bool matches(const trace::Trace& trace, const trace::Event& e) const;
};

std::expected<EventFilter, std::string> parse_event_filter(std::string_view text);

// The index of the first event at or after `from` that the filter picks; with nth, the nth match
// counted from the start of the trace, if it lies at or after `from`.
std::optional<std::size_t> find_next(FilterContext& context, const EventFilter& filter, std::size_t from);
std::optional<std::size_t> find_next(const trace::Trace& trace, const EventFilter& filter, std::size_t from);

}  // namespace asynclab::trace
