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
    scheduler_->unregister_resource(id_);
  }
}

bool Resource::join() {
  if (scheduler_) return true;
  Scheduler* s = Scheduler::current();
  if (!s) return false;
  scheduler_ = s;
  scheduler_serial_ = s->serial();
  id_ = s->register_resource(this, s->recorder() ? s->recorder()->intern(name_) : 0);
  return true;
}

std::uint32_t Resource::running_task() {
  Scheduler* s = Scheduler::current();
  return s ? s->running_id() : 0;
}

void Resource::record(trace::EventKind kind, std::uint32_t b, std::uint16_t flags) {
  // Cheap when untraced: the recorder test comes first. A resource used by another runtime than the
  // one it joined (rare: a channel shared across two block_on calls of different runtimes) records
  // nothing there.
  Scheduler* s = Scheduler::current();
  if (!s || !s->recorder()) return;
  if (!join() || s != scheduler_) return;
  s->emit(kind, s->running_id(), id_, b, flags);
}

void Resource::wait_here() {
  Scheduler* s = Scheduler::current();
  if (!s || !join() || s != scheduler_) return;
  s->running_waits_on(id_);
}

}  // namespace asynclab::detail
