// Reference solution of exercise 15: RedisStore changes its data only once the reply is in, one key
// at a time; DynStore is a vtable (Impl) with one Model per store type, holding the store itself.
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "asynclab/asynclab.hpp"
#include "datastore.hpp"

using namespace asynclab;

Task<std::optional<std::string>> RedisStore::get(std::string key) {
  co_await sleep(round_trip_);  // GET key, and wait for the reply
  auto it = data_.find(key);
  co_return it == data_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

Task<std::expected<void, StoreError>> RedisStore::set(std::string key, std::string value) {
  if (key.empty()) co_return std::unexpected(StoreError{"empty key"});
  co_await sleep(round_trip_);  // SET key value, and wait for OK
  // Only now, and only this key: whatever other sets did while this one waited stays done.
  data_[std::move(key)] = std::move(value);
  co_return std::expected<void, StoreError>{};
}

// The vtable of `dyn DataStore`. Each entry returns a Task: its frame is already on the heap and its
// type names only the output — the Pin<Box<dyn Future>> Rust has to spell out.
struct DynStore::Impl {
  virtual ~Impl() = default;
  virtual Task<std::optional<std::string>> get(std::string key) = 0;
  virtual Task<std::expected<void, StoreError>> set(std::string key, std::string value) = 0;

  template <DataStore S>
  struct Model;
};

// One store, held here; both entries call it.
template <DataStore S>
struct DynStore::Impl::Model final : DynStore::Impl {
  explicit Model(S s) : store(std::move(s)) {}
  Task<std::optional<std::string>> get(std::string key) override { return store.get(std::move(key)); }
  Task<std::expected<void, StoreError>> set(std::string key, std::string value) override {
    return store.set(std::move(key), std::move(value));
  }
  S store;
};

template <DataStore S>
DynStore::DynStore(S store) : impl_(std::make_shared<Impl::Model<S>>(std::move(store))) {}

Task<std::optional<std::string>> DynStore::get(std::string key) { return impl_->get(std::move(key)); }

Task<std::expected<void, StoreError>> DynStore::set(std::string key, std::string value) {
  return impl_->set(std::move(key), std::move(value));
}

template DynStore::DynStore(MemoryStore);
template DynStore::DynStore(RedisStore);
