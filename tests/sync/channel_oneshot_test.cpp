// sync::oneshot (runtime/include/asynclab/sync/oneshot.hpp): one value, the errors of a dropped or
// closed side, Sender::closed and try_recv.
// Flavors (support/flavors.hpp): every test that runs a runtime runs on current_thread and on
// multi_thread(2) and (4), with timers already due on worker threads (the virtual instants are
// checked on current_thread only); the ones without a runtime on none.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "asynclab/asynclab.hpp"
#include "support/counted.hpp"
#include "support/flavors.hpp"
#include "support/harness.hpp"

using namespace asynclab;
using namespace asynclab::testing;
using namespace std::chrono_literals;
namespace oneshot = asynclab::sync::oneshot;

namespace {

struct value_tag {};
using counted_value = basic_counted<value_tag>;

}  // namespace

TEST_CASE("a oneshot delivers its value to the awaiting receiver when the sender sends", "[oneshot]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    std::optional<std::expected<int, oneshot::RecvError>> got;
    Duration at{};
    auto rt = flavor.exploring(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = oneshot::channel<int>("answer");
      (void)spawn([tx = std::move(tx), d = flavor.timer(25ms)]() mutable -> Task<void> {
        co_await sleep(d);
        (void)std::move(tx).send(42);
      });
      got.emplace(co_await rx);
      at = elapsed();
    });
    REQUIRE(got);
    CHECK(*got == 42);
    if (!flavor.threaded()) CHECK(at == 25ms);  // virtual time
  }
}

TEST_CASE("awaiting the receiver gives RecvError when the sender is dropped without sending", "[oneshot]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<std::expected<int, oneshot::RecvError>> got;
  Duration at{};
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    (void)spawn([tx = std::move(tx), d = flavor.timer(15ms)]() -> Task<void> {
      co_await sleep(d);  // then the task ends, and its sender is dropped unused
    });
    got.emplace(co_await rx);
    at = elapsed();
  });
  REQUIRE(got);
  REQUIRE_FALSE(got->has_value());
  CHECK(std::string(got->error().message()) == "the sender was dropped without sending a value");
  if (!flavor.threaded()) CHECK(at == 15ms);  // virtual time
}

TEST_CASE("send after the receiver is dropped fails and gives the value back", "[oneshot]") {
  auto [tx, rx] = oneshot::channel<std::string>();
  CHECK_FALSE(tx.is_closed());
  { auto gone = std::move(rx); }
  CHECK(tx.is_closed());
  auto r = std::move(tx).send("unheard");
  REQUIRE_FALSE(r);
  CHECK(r.error() == "unheard");
}

TEST_CASE("after Receiver::close() a send fails, but a value sent before close() is still received", "[oneshot]") {
  {
    auto [tx, rx] = oneshot::channel<int>();
    rx.close();
    CHECK(tx.is_closed());
    auto r = std::move(tx).send(1);
    REQUIRE_FALSE(r);
    CHECK(r.error() == 1);
    CHECK(rx.try_recv().error() == oneshot::TryRecvError::closed());
  }
  {
    auto [tx, rx] = oneshot::channel<int>();
    REQUIRE(std::move(tx).send(2));
    rx.close();
    CHECK(rx.try_recv() == 2);
  }
}

TEST_CASE("awaiting a closed receiver with nothing sent answers RecvError at once instead of waiting", "[oneshot]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<bool> failed;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    rx.close();
    failed = !(co_await rx).has_value();  // the sender is still alive, yet nothing can ever arrive
  });
  CHECK(failed == true);
}

TEST_CASE("try_recv answers empty, then the value, then closed", "[oneshot]") {
  auto [tx, rx] = oneshot::channel<int>();
  CHECK(rx.try_recv().error() == oneshot::TryRecvError::empty());
  REQUIRE(std::move(tx).send(9));
  CHECK(rx.try_recv() == 9);
  CHECK(rx.try_recv().error() == oneshot::TryRecvError::closed());
}

TEST_CASE("a oneshot Sender's closed() completes when the receiver is dropped", "[oneshot]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    std::optional<Duration> closed_at;
    auto rt = flavor.exploring(seed);
    rt.block_on([&]() -> Task<void> {
      auto [tx, rx] = oneshot::channel<int>();
      (void)spawn([rx = std::move(rx), d = flavor.timer(30ms)]() -> Task<void> { co_await sleep(d); });
      co_await tx.closed();
      closed_at = elapsed();
    });
    REQUIRE(closed_at);
    if (!flavor.threaded()) CHECK(*closed_at == 30ms);  // virtual time
  }
}

TEST_CASE("a oneshot Sender's closed() completes when the receiver closes the channel", "[oneshot]") {
  ASYNCLAB_EACH_FLAVOR(flavor);
  std::optional<Duration> closed_at;
  auto rt = flavor.runtime();
  rt.block_on([&]() -> Task<void> {
    auto [tx, rx] = oneshot::channel<int>();
    auto closer = spawn([rx = std::move(rx), d = flavor.timer(12ms)]() mutable -> Task<void> {
      co_await sleep(d);
      rx.close();
      co_await sleep(100ms);  // keeps the receiver alive: the close, not a drop, ends closed() (aborted)
    });
    co_await tx.closed();
    closed_at = elapsed();
    closer.abort();
  });
  REQUIRE(closed_at);
  if (!flavor.threaded()) CHECK(*closed_at == 12ms);  // virtual time
}

TEST_CASE("a value sent and never received is destroyed exactly once, when the receiver goes", "[oneshot]") {
  counted_value::reset();
  {
    auto [tx, rx] = oneshot::channel<counted_value>();
    REQUIRE(std::move(tx).send(counted_value{}));
    CHECK(counted_value::alive() == 1);
    { auto gone = std::move(rx); }
    CHECK(counted_value::alive() == 0);
  }
  CHECK(counted_value::alive() == 0);
  CHECK(counted_value::default_constructions == 1);
}

namespace {

// Aligned more strictly than the cache line a channel's state is aligned to.
struct alignas(128) WideValue {
  std::uint64_t v = 0;
};

}  // namespace

TEST_CASE("a value aligned more strictly than a cache line goes through oneshot and mpsc intact", "[oneshot][mpsc]") {
  // Outside any runtime (so the states lock, as on worker threads), with no coroutine: the values
  // live on this stack and in the channels' states, which must honour their alignment (the
  // sanitizer build checks every access).
  auto [tx, rx] = oneshot::channel<WideValue>("wide");
  REQUIRE(std::move(tx).send(WideValue{7}).has_value());
  auto one = rx.try_recv();
  REQUIRE(one.has_value());
  CHECK(one->v == 7);

  auto [mtx, mrx] = sync::mpsc::channel<WideValue>(2, "wide queue");
  REQUIRE(mtx.try_send(WideValue{10}).has_value());
  REQUIRE(mtx.try_send(WideValue{11}).has_value());
  std::uint64_t sum = 0;
  while (auto got = mrx.try_recv()) sum += got->v;
  CHECK(sum == 21);
}
