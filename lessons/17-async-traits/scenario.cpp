// Lesson 17 — async fn in traits, "dyn" stores, and async closures.
//
// Seed C's trait:
//   trait DataStore {
//       async fn get(&self, key: &str) -> Option<String>;
//       async fn set(&self, key: &str, value: &str) -> Result<(), Box<dyn std::error::Error>>;
//   }
// and its tip: "If you need trait objects (dyn DataStore), you'll need the trait_variant crate or
// manual desugaring, since async methods aren't directly object-safe."
//
// Here the trait is a C++ concept, and two structs implement it without knowing each other:
// MemoryStore (a map, answers at once) and RedisStore (the same map behind a network round trip,
// simulated with a sleep — there is no Redis in here). Calling them through a template is static
// dispatch, Rust's `impl DataStore`. DynStore is the manual desugaring: a type-erased handle whose
// virtual functions return Task<...>. In Rust each impl's async fn returns its own unnamed future
// type, so a vtable entry has no one type to return until the future is boxed
// (Pin<Box<dyn Future>>). A C++ Task<T> already is that box: its coroutine frame lives on the heap
// and its type names only the output, so a virtual function can return it as it is.
//
// Then seed C's async closure: a coroutine lambda capturing the store by reference, called once
// per key, first by a helper that runs it with at most `limit` calls in flight (a JoinSet that never
// holds more than `limit` tasks), then in a plain loop, as the seed's for loop does.
#include <concepts>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "asynclab/asynclab.hpp"
#include "engine/scenario.hpp"

namespace asynclab::lessons {

namespace {

struct StoreError {
  std::string message;
};

// trait DataStore: anything with these two async methods.
template <class S>
concept DataStore = requires(S& store, std::string key) {
  { store.get(key) } -> std::same_as<Task<std::optional<std::string>>>;
  { store.set(key, key) } -> std::same_as<Task<std::expected<void, StoreError>>>;
};

// impl DataStore for MemoryStore: a map; no await ever waits.
class MemoryStore {
 public:
  Task<std::optional<std::string>> get(std::string key) {
    auto it = data_.find(key);
    co_return it == data_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  Task<std::expected<void, StoreError>> set(std::string key, std::string value) {
    if (key.empty()) co_return std::unexpected(StoreError{"empty key"});
    data_[std::move(key)] = std::move(value);
    co_return std::expected<void, StoreError>{};
  }

 private:
  std::map<std::string, std::string> data_;
};

// impl DataStore for RedisStore: the same map, one network round trip away.
class RedisStore {
 public:
  explicit RedisStore(Duration round_trip) : round_trip_(round_trip) {}
  Task<std::optional<std::string>> get(std::string key) {
    co_await sleep(round_trip_);  // GET key, and wait for the reply
    auto it = data_.find(key);
    co_return it == data_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  Task<std::expected<void, StoreError>> set(std::string key, std::string value) {
    if (key.empty()) co_return std::unexpected(StoreError{"empty key"});
    co_await sleep(round_trip_);  // SET key value, and wait for OK
    data_[std::move(key)] = std::move(value);
    co_return std::expected<void, StoreError>{};
  }

 private:
  Duration round_trip_;
  std::map<std::string, std::string> data_;
};

static_assert(DataStore<MemoryStore> && DataStore<RedisStore>);

// Box<dyn DataStore>, desugared by hand: a vtable whose entries return Task<...>, and one model per
// store type that forwards to it. Calls return the store's own Task: no extra frame, no extra poll.
class DynStore {
 public:
  template <DataStore S>
  explicit DynStore(S store) : self_(std::make_unique<Model<S>>(std::move(store))) {}

  Task<std::optional<std::string>> get(std::string key) { return self_->get(std::move(key)); }
  Task<std::expected<void, StoreError>> set(std::string key, std::string value) {
    return self_->set(std::move(key), std::move(value));
  }

 private:
  struct Vtable {
    virtual ~Vtable() = default;
    virtual Task<std::optional<std::string>> get(std::string key) = 0;
    virtual Task<std::expected<void, StoreError>> set(std::string key, std::string value) = 0;
  };
  template <class S>
  struct Model final : Vtable {
    explicit Model(S s) : store(std::move(s)) {}
    Task<std::optional<std::string>> get(std::string key) override { return store.get(std::move(key)); }
    Task<std::expected<void, StoreError>> set(std::string key, std::string value) override {
      return store.set(std::move(key), std::move(value));
    }
    S store;
  };
  std::unique_ptr<Vtable> self_;
};

static_assert(DataStore<DynStore>);

// Static dispatch, `async fn remember(store: &impl DataStore)`: compiled once per store type.
template <DataStore S>
Task<void> remember(S& store, std::string key, std::string value) {
  auto saved = co_await store.set(key, value);
  auto back = co_await store.get(key);
  say("{}: set {} -> {}, get {} -> {}", saved ? "ok" : "failed", key, value, key, back.value_or("(none)"));
}

// for_each with a concurrency limit: calls `f` once per item, each call's future spawned as a task,
// never more than `limit` of them alive. Returns how many finished without an error.
template <class F>
Task<std::size_t> for_each_limited(std::vector<std::string> items, std::size_t limit, F f) {
  // The task names outlive their spawns: the runtime tells names apart by their storage.
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back("set " + item);
  JoinSet<std::expected<void, StoreError>> running;
  std::size_t ok = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (running.len() == limit) {
      auto done = co_await running.join_next();  // wait for a free slot
      ok += done && *done && **done ? 1 : 0;
    }
    running.spawn(f(items[i]), names[i]);
  }
  while (auto done = co_await running.join_next()) ok += *done && **done ? 1 : 0;
  co_return ok;
}

Task<void> demo(std::string kind, Duration round_trip, int items, std::size_t limit) {
  // 1. Static dispatch on a concrete store.
  RedisStore redis(round_trip);
  co_await remember(redis, "user:0", "grace");
  mark("static dispatch done");

  // 2. The same calls through the type-erased handle; which store is behind it is a runtime choice.
  DynStore store = kind == "memory" ? DynStore(MemoryStore{}) : DynStore(RedisStore(round_trip));
  say("main: a DynStore holding a {} store", kind);
  co_await remember(store, "user:1", "ada");
  auto missing = co_await store.get("user:404");
  say("get user:404 -> {}", missing.value_or("(none)"));
  mark("through the handle");

  // 3. An async closure, `async |key| store.set(key, ...).await`, run by a helper with a limit.
  int calls = 0;
  auto save = [&store, &calls](std::string key) -> Task<std::expected<void, StoreError>> {
    ++calls;
    co_return co_await store.set(key, "value of " + key);
  };
  std::vector<std::string> keys;
  for (int i = 1; i <= items; ++i) keys.push_back(fmt::format("key:{}", i));
  const std::size_t saved = co_await for_each_limited(keys, limit, save);
  say("for_each_limited: save called {} times for {} keys, {} saved, at most {} at a time", calls, items,
      saved, limit);
  mark("all saved");

  // 4. And the seed's plain loop: `for url in &urls { let body = fetch(url).await?; }`.
  auto load = [&store](std::string key) -> Task<std::optional<std::string>> {
    co_return co_await store.get(key);
  };
  for (const auto& key : keys) {
    auto value = co_await load(key);
    say("get {} -> {}", key, value.value_or("(none)"));
  }
  mark("all read back");
}

}  // namespace

void scenario_17_async_traits(ScenarioRun& run) {
  const auto& p = run.params();
  run.block_on(demo(p.choice("store"), p.millis("round_trip_ms"), static_cast<int>(p.integer("items")),
                    static_cast<std::size_t>(p.integer("limit"))));
}

}  // namespace asynclab::lessons
