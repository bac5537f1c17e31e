// expect-verdict: failed
// expect-message: the deadline was 200 ms, and with_timeout returned nothing at 500 ms
// Known wrong: a spawned task raced against the deadline — and then, to leave nothing behind, the
// task awaited anyway once the deadline passed. It leaves nothing behind, and protects no one.
#include <optional>
#include <string>
#include <utility>

#include "asynclab/asynclab.hpp"

using namespace asynclab;

namespace {

// `&mut handle` in select!: races the JoinHandle without giving it away.
template <Future F>
class Borrowed {
 public:
  using Output = output_t<F>;
  explicit Borrowed(F& f) : f_(&f) {}
  Poll<Output> poll(Context& cx) { return f_->poll(cx); }

 private:
  F* f_;
};

}  // namespace

template <class T>
Task<std::optional<T>> with_timeout(Task<T> future, Duration limit) {
  auto handle = spawn(std::move(future), "inner");
  auto raced = co_await select(Borrowed(handle), sleep(limit));
  if (raced.index() == 0) {
    auto& joined = std::get<0>(raced);
    if (!joined) co_return std::nullopt;
    co_return std::move(*joined);
  }
  (void)co_await handle;  // "don't leak the task"
  co_return std::nullopt;
}

template Task<std::optional<std::string>> with_timeout(Task<std::string> future, Duration limit);
