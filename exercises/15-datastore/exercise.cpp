// Exercise 15 — DataStore: async methods behind an interface. Read README.md first; `asynclab grade
// 15` checks your work and `asynclab hint 15` gives a hint. datastore.hpp declares what you define.
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "asynclab/asynclab.hpp"
#include "datastore.hpp"

using namespace asynclab;

// ---- impl DataStore for RedisStore ---------------------------------------------------------------

Task<std::optional<std::string>> RedisStore::get(std::string key) {
  co_await sleep(round_trip_);  // GET key, and wait for the reply
  auto it = data_.find(key);
  co_return it == data_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

Task<std::expected<void, StoreError>> RedisStore::set(std::string key, std::string value) {
  // TODO: keep every write, also when several sets are waiting for their reply at the same time.
  if (key.empty()) co_return std::unexpected(StoreError{"empty key"});
  auto updated = data_;  // the data as it will be once Redis says OK
  updated[key] = value;
  co_await sleep(round_trip_);  // SET key value, and wait for OK
  data_ = std::move(updated);
  co_return std::expected<void, StoreError>{};
}

// ---- dyn DataStore: the handle -------------------------------------------------------------------

// TODO: make every call through the handle reach the one store it was given.
struct DynStore::Impl {
  std::function<Task<std::optional<std::string>>(std::string)> get;
  std::function<Task<std::expected<void, StoreError>>(std::string, std::string)> set;
};

template <DataStore S>
DynStore::DynStore(S store)
    : impl_(std::make_shared<Impl>(Impl{
          [store](std::string key) mutable { return store.get(std::move(key)); },
          [store](std::string key, std::string value) mutable {
            return store.set(std::move(key), std::move(value));
          },
      })) {}

Task<std::optional<std::string>> DynStore::get(std::string key) { return impl_->get(std::move(key)); }

Task<std::expected<void, StoreError>> DynStore::set(std::string key, std::string value) {
  return impl_->set(std::move(key), std::move(value));
}

// The grader puts a MemoryStore and a RedisStore behind the handle: these two lines compile those
// versions of the constructor here.
template DynStore::DynStore(MemoryStore);
template DynStore::DynStore(RedisStore);
