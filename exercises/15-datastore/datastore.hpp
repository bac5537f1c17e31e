#pragma once
// Given: exercise 15's storage interface. Your code goes in exercise.cpp (it defines what this file
// only declares); the grader includes this file too, so leave it as it is.
//
// Seed C's trait,
//   trait DataStore {
//       async fn get(&self, key: &str) -> Option<String>;
//       async fn set(&self, key: &str, value: &str) -> Result<(), Box<dyn std::error::Error>>;
//   }
// is a concept here: anything with these two async methods is a DataStore. MemoryStore is one,
// written out; RedisStore is yours. DynStore is `dyn DataStore`: one handle type for any store,
// chosen at run time — the "manual desugaring" the seed's tip speaks of.
#include <concepts>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "asynclab/asynclab.hpp"

struct StoreError {
  std::string message;
};

template <class S>
concept DataStore = requires(S& store, std::string key) {
  { store.get(key) } -> std::same_as<asynclab::Task<std::optional<std::string>>>;
  { store.set(key, key) } -> std::same_as<asynclab::Task<std::expected<void, StoreError>>>;
};

// impl DataStore for MemoryStore: a map in this process; nothing it does ever waits.
class MemoryStore {
 public:
  asynclab::Task<std::optional<std::string>> get(std::string key) {
    auto it = data_.find(key);
    co_return it == data_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  asynclab::Task<std::expected<void, StoreError>> set(std::string key, std::string value) {
    if (key.empty()) co_return std::unexpected(StoreError{"empty key"});
    data_[std::move(key)] = std::move(value);
    co_return std::expected<void, StoreError>{};
  }

 private:
  std::map<std::string, std::string> data_;
};

// impl DataStore for RedisStore: a map one network round trip away. There is no Redis in here: a
// `sleep(round_trip_)` stands for sending the command and waiting for the reply. Every get and
// every set of a non-empty key takes exactly one round trip; a set of an empty key is refused with
// a StoreError.
class RedisStore {
 public:
  explicit RedisStore(asynclab::Duration round_trip) : round_trip_(round_trip) {}
  asynclab::Task<std::optional<std::string>> get(std::string key);
  asynclab::Task<std::expected<void, StoreError>> set(std::string key, std::string value);

 private:
  asynclab::Duration round_trip_;
  std::map<std::string, std::string> data_;  // what the Redis server holds
};

// Box<dyn DataStore>, desugared by hand: holds any DataStore and forwards every call to it. Copies
// of a handle are the same store (Arc<dyn DataStore>): they share what `impl_` points to.
class DynStore {
 public:
  template <DataStore S>
  explicit DynStore(S store);

  asynclab::Task<std::optional<std::string>> get(std::string key);
  asynclab::Task<std::expected<void, StoreError>> set(std::string key, std::string value);

 private:
  struct Impl;  // yours: whatever it takes to reach the store behind the handle
  std::shared_ptr<Impl> impl_;
};

static_assert(DataStore<MemoryStore> && DataStore<RedisStore> && DataStore<DynStore>);
