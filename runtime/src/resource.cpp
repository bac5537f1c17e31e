// Resource: joining a runtime, recording events, and leaving it. See detail/resource.hpp.
#include "asynclab/detail/resource.hpp"

#include "asynclab/detail/scheduler.hpp"

namespace asynclab::detail {

Resource::Resource(trace::ResourceKind kind, std::string_view name, std::uint64_t limit)
    : kind_(kind), name_(name), limit_(limit) {
  join();
}

Resource::~Resource() {
  if (scheduler_ && Scheduler::is_alive(scheduler_, scheduler_serial_)) {
    scheduler_->emit(trace::EventKind::resource_dropped, scheduler_->running_id(), id_);
    scheduler_->unregister_resource(slot_);
  }
}

// Inlined into record and wait_here below, which run on every traced channel operation: the common
// case is two compares; joining is out of line, so this path saves no registers.
bool Resource::join() {
  Scheduler* s = Scheduler::current();
  if (!s) return false;
  if (s != scheduler_ || s->serial() != scheduler_serial_) [[unlikely]]
    join_new(s);
  return true;
}

void Resource::join_new(Scheduler* s) {
  // First use in this runtime: a resource made outside any runtime, or kept from an earlier one
  // (the serial tells a new runtime at a dead one's address apart). Leave the old one if it still
  // exists, and join this one under a fresh id.
  if (scheduler_ && Scheduler::is_alive(scheduler_, scheduler_serial_)) scheduler_->unregister_resource(slot_);
  scheduler_ = s;
  scheduler_serial_ = s->serial();
  id_ = s->register_resource(this, s->recorder() ? s->recorder()->intern(name_) : 0, slot_);
}

std::uint32_t Resource::running_task() {
  Scheduler* s = Scheduler::current();
  return s ? s->running_id() : 0;
}

void Resource::record(trace::EventKind kind, std::uint32_t b, std::uint16_t flags) {
  // Cheap when untraced: the recorder test comes first.
  Scheduler* s = Scheduler::current();
  if (!s || !s->recorder()) return;
  join();
  s->emit(kind, s->running_id(), id_, b, flags);
}

void Resource::wait_here() {
  Scheduler* s = Scheduler::current();
  if (!s) return;
  join();
  s->running_waits_on(id_);
}

void resource_wake(Waker& w) {
  Scheduler* s = Scheduler::current();
  if (!s) {
    w.wake();
    return;
  }
  auto saved = s->swap_wake_source(trace::WakeSource::channel);
  w.wake();
  s->swap_wake_source(saved);
}

bool may_be_shared_across_threads() {
  const Scheduler* s = Scheduler::current();
  return s == nullptr || s->threaded();
}

}  // namespace asynclab::detail
