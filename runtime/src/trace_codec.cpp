// What each event kind may hold, and the names of the enum values. See trace/codec.hpp.
#include <stdexcept>

#include <fmt/format.h>

#include "asynclab/trace/codec.hpp"

namespace asynclab::trace {

void throw_invalid_kind(EventKind k) {
  throw std::invalid_argument(fmt::format("trace event of unknown kind {}", static_cast<int>(k)));
}

namespace {

std::string count_of(std::uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

template <class E>
bool above(E value, E last) {
  return static_cast<std::uint64_t>(value) > static_cast<std::uint64_t>(last);
}

// What is wrong with an event, before it is put in words. Trivially copyable: checks pass these
// around for every event of a file, and only a rejected event's fault is ever formatted.
struct Fault {
  enum Kind : std::uint8_t { task, index, flags, lane } kind;
  EventField field;
  std::string_view what;  // the table ("string") or the flags' meaning ("poll result")
  std::uint64_t value;
  std::uint64_t size;  // the table's size (index)
};

// The checks every kind is made of. Each returns a fault, or nothing when the value is allowed.
class Checker {
 public:
  using Problem = std::optional<Fault>;
  explicit Checker(const TableSizes& sizes) : sizes_(sizes) {}

  Problem task(std::uint32_t id, EventField field) const {
    if (id <= sizes_.tasks) return std::nullopt;
    return Fault{Fault::task, field, {}, id, sizes_.tasks};
  }
  Problem index(std::uint32_t id, std::string_view table, std::uint64_t size, EventField field) const {
    if (id < size) return std::nullopt;
    return Fault{Fault::index, field, table, id, size};
  }
  Problem location(std::uint32_t id, EventField field) const { return index(id, "location", sizes_.locations, field); }
  Problem string(std::uint32_t id, EventField field) const { return index(id, "string", sizes_.strings, field); }
  Problem site(std::uint32_t id) const { return index(id, "spawn site", sizes_.sites, EventField::b); }
  template <class E>
  Problem enum_at_most(E value, E last, std::string_view what) const {
    if (!above(value, last)) return std::nullopt;
    return flags(what, static_cast<std::uint64_t>(value));
  }
  Problem flags(std::string_view what, std::uint64_t value) const {
    return Fault{Fault::flags, EventField::flags, what, value, 0};
  }
  Problem lane(std::uint32_t lane) const {
    if (lane <= sizes_.highest_lane()) return std::nullopt;
    return Fault{Fault::lane, EventField::a, {}, lane, 0};
  }

 private:
  const TableSizes& sizes_;
};

// The first fault of several checks, in order.
std::optional<Fault> first(std::initializer_list<std::optional<Fault>> faults) {
  for (const auto& f : faults)
    if (f) return f;
  return std::nullopt;
}

EventProblem in_words(const Fault& f, const TableSizes& sizes) {
  switch (f.kind) {
    case Fault::task:
      return {f.field, fmt::format("refers to task {} but the trace spawns only {}", f.value,
                                   count_of(sizes.tasks, "task", "tasks"))};
    case Fault::index: return {f.field, fmt::format("refers to {} {} but the table has {}", f.what, f.value, f.size)};
    case Fault::flags: return {f.field, fmt::format("has an unknown {} {}", f.what, f.value)};
    case Fault::lane:
      return {f.field, fmt::format("runs on blocking lane {}, but a trace with {} uses lanes up to {} at most", f.value,
                                   count_of(sizes.blocking_jobs, "blocking job", "blocking jobs"), sizes.highest_lane())};
  }
  return {f.field, "is malformed"};
}

std::optional<Fault> fault_of(const Event& e, const TableSizes& sizes) {
  const Checker c(sizes);
  if (auto p = c.task(e.task, EventField::task)) return p;
  using F = EventField;
  using Problem = std::optional<Fault>;
  // A kind that has no flags has 0 there: what decode reads is then all the event holds.
  auto no_flags = [&]() -> Problem { return e.flags ? c.flags("flag value", e.flags) : std::nullopt; };
  return visit(e, overloaded{
    [&](const ev::RuntimeStarted&) -> Problem {
      return e.flags > 0xff ? c.flags("flag value", e.flags) : std::nullopt;  // bit 0 and a 7-bit flavor
    },
    [&](const ev::TaskSpawned& x) -> Problem { return first({no_flags(), c.task(x.parent, F::a), c.site(x.site)}); },
    [&](const ev::PollBegin&) -> Problem { return no_flags(); },
    [&](const ev::PollEnd& x) -> Problem {
      return first({c.location(x.parked_at, F::b), c.location(x.own_code_at, F::a),
                    c.enum_at_most(x.result, PollResult::panicked, "poll result")});
    },
    [&](const ev::WakerCloned& x) -> Problem { return first({no_flags(), c.task(x.by, F::a)}); },
    [&](const ev::WakerDropped& x) -> Problem { return first({no_flags(), c.task(x.by, F::a)}); },
    [&](const ev::Wake& x) -> Problem {
      if (auto p = c.task(x.by, F::a)) return p;
      if (auto p = c.enum_at_most(x.source, WakeSource::budget, "wake source")) return p;
      constexpr std::uint16_t known = wake_flag::source_mask | wake_flag::self | wake_flag::by_ref;
      if (e.flags & ~known) return c.flags("wake flag bits", e.flags & ~known);
      return std::nullopt;
    },
    [&](const ev::TaskCompleted& x) -> Problem { return c.enum_at_most(x.outcome, Outcome::cancelled, "outcome"); },
    [&](const ev::FutureCreated& x) -> Problem {
      if (x.node_kind < FutureNode::join || above(x.node_kind, FutureNode::timeout))
        return c.flags("future node kind", static_cast<std::uint64_t>(x.node_kind));
      return std::nullopt;
    },
    [&](const ev::FuturePolled&) -> Problem { return e.flags > 1 ? c.flags("flag value", e.flags) : std::nullopt; },
    [&](const ev::FutureDropped&) -> Problem {
      // The raw value: decode turns an end newer than this reader into completed or cancelled.
      return e.flags > future_end_last ? c.flags("way a future ended", e.flags) : std::nullopt;
    },
    [&](const ev::TimerArmed&) -> Problem { return no_flags(); },
    [&](const ev::TimerFired&) -> Problem { return no_flags(); },
    [&](const ev::ClockAdvanced&) -> Problem { return no_flags(); },
    [&](const ev::Lint& x) -> Problem {
      if (auto p = c.location(x.location, F::b)) return p;
      if (x.lint < LintKind::forgotten_future || above(x.lint, LintKind::long_poll))
        return c.flags("lint kind", static_cast<std::uint64_t>(x.lint));
      return std::nullopt;
    },
    [&](const ev::Mark& x) -> Problem { return first({no_flags(), c.string(x.label, F::b)}); },
    [&](const ev::RuntimeStopped& x) -> Problem {
      return c.enum_at_most(x.reason, StopReason::shutdown, "stop reason");
    },
    [&](const ev::ResourceCreated& x) -> Problem {
      if (auto p = c.string(x.name, F::b)) return p;
      if (x.resource_kind < ResourceKind::mpsc || above(x.resource_kind, ResourceKind::notify))
        return c.flags("resource kind", static_cast<std::uint64_t>(x.resource_kind));
      return std::nullopt;
    },
    [&](const ev::ResourceLimits&) -> Problem { return no_flags(); },
    [&](const ev::ResourceDropped&) -> Problem { return no_flags(); },
    [&](const ev::ChannelSend& x) -> Problem { return c.enum_at_most(x.result, SendResult::closed, "send result"); },
    [&](const ev::ChannelRecv& x) -> Problem { return c.enum_at_most(x.result, RecvResult::lagged, "receive result"); },
    [&](const ev::ChannelClosed& x) -> Problem {
      return c.enum_at_most(x.reason, CloseReason::receiver_dropped, "close reason");
    },
    [&](const ev::LockWaiting&) -> Problem { return no_flags(); },
    [&](const ev::LockAcquired&) -> Problem { return no_flags(); },
    [&](const ev::LockReleased&) -> Problem { return no_flags(); },
    [&](const ev::Notified&) -> Problem { return e.flags > 1 ? c.flags("flag value", e.flags) : std::nullopt; },
    [&](const ev::BlockingBegin& x) -> Problem { return first({no_flags(), c.lane(x.lane)}); },
    [&](const ev::BlockingEnd& x) -> Problem { return first({no_flags(), c.lane(x.lane)}); },
    [&](const ev::RequestBegin& x) -> Problem { return first({no_flags(), c.string(x.url, F::b)}); },
    [&](const ev::RequestEnd& x) -> Problem {
      return c.enum_at_most(x.failure, HttpFailure::cancelled, "request failure");
    },
    [&](const ev::StuckWait& x) -> Problem {
      if (auto p = c.task(x.holder, F::b)) return p;
      return e.flags > 3 ? c.flags("flag value", e.flags) : std::nullopt;
    },
    [&](const ev::TimerCancelled&) -> Problem { return no_flags(); },
    [&](const ev::Pin& x) -> Problem { return c.enum_at_most(x.action, PinAction::self_ref, "pin action"); },
    [&](const ev::TaskStolen&) -> Problem { return no_flags(); },
    [&](const ev::ChannelValue& x) -> Problem {
      if (auto p = c.enum_at_most(x.form, ValueForm::signed_int, "value form")) return p;
      return x.form == ValueForm::label ? c.string(x.value, F::b) : std::nullopt;
    },
  });
}

}  // namespace

std::optional<EventProblem> check(const Event& e, const TableSizes& sizes) {
  const std::optional<Fault> fault = fault_of(e, sizes);
  if (!fault) return std::nullopt;
  return in_words(*fault, sizes);
}

std::string_view poll_result_name(PollResult r) {
  switch (r) {
    case PollResult::pending: return "pending";
    case PollResult::ready: return "ready";
    case PollResult::panicked: return "panicked";
  }
  return "unknown";
}

std::string_view stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::finished: return "finished";
    case StopReason::stuck: return "stuck";
    case StopReason::shutdown: return "shutdown";
  }
  return "unknown";
}

std::string_view future_node_name(FutureNode k) {
  switch (k) {
    case FutureNode::join: return "join";
    case FutureNode::try_join: return "try_join";
    case FutureNode::select: return "select";
    case FutureNode::branch: return "branch";
    case FutureNode::timeout: return "timeout";
  }
  return "unknown";
}

std::string_view future_end_name(FutureEnd k) {
  switch (k) {
    case FutureEnd::cancelled: return "cancelled";
    case FutureEnd::completed: return "completed";
    case FutureEnd::disabled_by_precondition: return "disabled_by_precondition";
    case FutureEnd::disabled_by_pattern: return "disabled_by_pattern";
    case FutureEnd::released: return "released";
  }
  return "unknown";
}

std::string_view send_result_name(SendResult r) {
  switch (r) {
    case SendResult::sent: return "sent";
    case SendResult::full: return "full";
    case SendResult::closed: return "closed";
  }
  return "unknown";
}

std::string_view recv_result_name(RecvResult r) {
  switch (r) {
    case RecvResult::received: return "received";
    case RecvResult::empty: return "empty";
    case RecvResult::closed: return "closed";
    case RecvResult::lagged: return "lagged";
  }
  return "unknown";
}

std::string_view close_reason_name(CloseReason r) {
  switch (r) {
    case CloseReason::receiver_closed: return "receiver closed";
    case CloseReason::senders_dropped: return "senders dropped";
    case CloseReason::receiver_dropped: return "receiver dropped";
  }
  return "unknown";
}

std::string_view http_failure_name(HttpFailure f) {
  switch (f) {
    case HttpFailure::none: return "none";
    case HttpFailure::connection_refused: return "connection refused";
    case HttpFailure::connection_reset: return "connection reset";
    case HttpFailure::timed_out: return "timed out";
    case HttpFailure::cancelled: return "cancelled";
  }
  return "unknown";
}

std::string_view pin_action_name(PinAction a) {
  switch (a) {
    case PinAction::placed: return "placed";
    case PinAction::moved: return "moved";
    case PinAction::pinned: return "pinned";
    case PinAction::moved_after_pin: return "moved_after_pin";
    case PinAction::dropped: return "dropped";
    case PinAction::self_ref: return "self_ref";
  }
  return "unknown";
}

std::string_view flavor_name(std::uint8_t flavor) { return flavor == 0 ? "current_thread" : "multi_thread"; }

}  // namespace asynclab::trace
