// Fiber: ucontext stacks with AddressSanitizer annotations. See detail/fiber.hpp.
#include "asynclab/detail/fiber.hpp"
#include "asynclab/detail/sanitizers.hpp"

#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdlib>
#include <new>
#include <stdexcept>

#if defined(ASYNCLAB_ASAN)
#include <sanitizer/common_interface_defs.h>
#define ASYNCLAB_ASAN_FIBERS 1
#endif

namespace asynclab::detail {

struct Fiber::Impl {
  ucontext_t context{};
  ucontext_t caller{};
  void* stack = nullptr;       // the mapping, guard page included
  std::size_t mapped = 0;
  void* stack_low = nullptr;   // usable stack: [stack_low, stack_low + stack_size)
  std::size_t stack_size = 0;
  Fiber* previous = nullptr;   // the fiber that was running when this one was resumed
  // AddressSanitizer's view of the switch (unused without it).
  void* fake_stack = nullptr;
  const void* caller_bottom = nullptr;
  std::size_t caller_size = 0;
};

namespace {
thread_local Fiber* running_fiber = nullptr;
thread_local Fiber* starting_fiber = nullptr;
}  // namespace

Fiber::Fiber(std::function<void()> body, std::size_t requested_stack)
    : impl_(std::make_unique<Impl>()), body_(std::move(body)) {
  // Only impl_'s members (on the heap) are used after getcontext below: it "returns twice" as
  // setjmp does, so locals and parameters live across it could be clobbered (GCC's -Wclobbered).
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  impl_->stack_size = (requested_stack + page - 1) / page * page;
  impl_->mapped = impl_->stack_size + page;
  impl_->stack = mmap(nullptr, impl_->mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (impl_->stack == MAP_FAILED) throw std::bad_alloc();
  mprotect(impl_->stack, page, PROT_NONE);  // the guard page: an overflow faults instead of corrupting
  impl_->stack_low = static_cast<char*>(impl_->stack) + page;
  if (getcontext(&impl_->context) != 0) throw std::runtime_error("getcontext failed");
  impl_->context.uc_stack.ss_sp = impl_->stack_low;
  impl_->context.uc_stack.ss_size = impl_->stack_size;
  impl_->context.uc_link = nullptr;
  makecontext(&impl_->context, &Fiber::entry, 0);
}

Fiber::~Fiber() { munmap(impl_->stack, impl_->mapped); }

void Fiber::entry() {
  Fiber* self = starting_fiber;
  starting_fiber = nullptr;
#if ASYNCLAB_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(nullptr, &self->impl_->caller_bottom, &self->impl_->caller_size);
#endif
  self->body_();
  self->finished_ = true;
  // Leave for good: ASan may forget this stack's fake frames.
#if ASYNCLAB_ASAN_FIBERS
  __sanitizer_start_switch_fiber(nullptr, self->impl_->caller_bottom, self->impl_->caller_size);
#endif
  setcontext(&self->impl_->caller);
  std::abort();  // setcontext does not return
}

void Fiber::resume() {
  if (finished_) throw std::logic_error("Fiber::resume on a finished fiber");
  Impl& me = *impl_;
  me.previous = running_fiber;
  running_fiber = this;
  starting_fiber = this;  // read by entry() on the first switch only
  void* fake = nullptr;
#if ASYNCLAB_ASAN_FIBERS
  __sanitizer_start_switch_fiber(&fake, me.stack_low, me.stack_size);
#endif
  swapcontext(&me.caller, &me.context);
#if ASYNCLAB_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
  (void)fake;
  running_fiber = me.previous;
}

void Fiber::suspend() {
  Fiber* self = running_fiber;
  if (!self) throw std::logic_error("Fiber::suspend outside any fiber");
  Impl& me = *self->impl_;
#if ASYNCLAB_ASAN_FIBERS
  __sanitizer_start_switch_fiber(&me.fake_stack, me.caller_bottom, me.caller_size);
#endif
  swapcontext(&me.context, &me.caller);
#if ASYNCLAB_ASAN_FIBERS
  __sanitizer_finish_switch_fiber(me.fake_stack, &me.caller_bottom, &me.caller_size);
#endif
}

}  // namespace asynclab::detail
