// expect-verdict: failed
// expect-message: → ok, get("user:1") gave (none)
// Known wrong: RedisStore is right, but the handle is two std::functions, each lambda capturing the
// store by value — two stores, one per method: what set writes, get never sees.
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
  if (key.empty()) co_return std::unexpected(StoreError{"empty key"});
  co_await sleep(round_trip_);  // SET key value, and wait for OK
  data_[std::move(key)] = std::move(value);
  co_return std::expected<void, StoreError>{};
}

// ---- dyn DataStore: the handle -------------------------------------------------------------------

// Each lambda captures its own copy of the store: a set goes to one copy, a get reads the other.
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

template DynStore::DynStore(MemoryStore);
template DynStore::DynStore(RedisStore);
