#pragma once
// The world of exercise 08: sensors, the readings they measure, and the archive the consumer writes
// them to. Don't edit this file: the grader compiles it as it is, next to your exercise.cpp.
//
// * measure(sensor, seq) takes 2 ms and gives that sensor's reading number `seq`.
// * archive(reading) takes 10 ms — five times slower than measuring — and files the reading. The
//   grader reads what was filed, when, and in what order, from archived().
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "asynclab/asynclab.hpp"

namespace pipeline {

using namespace std::chrono_literals;

struct Sensor {
  std::string name;
  int readings = 0;  // it measures readings 1, 2, ..., `readings`
};

struct Reading {
  std::string sensor;
  int seq = 0;
};

inline constexpr asynclab::Duration measure_time = 2ms;
inline constexpr asynclab::Duration archive_time = 10ms;

// What the archive holds: each reading with the time its archiving finished.
struct Archived {
  Reading reading;
  asynclab::Duration at{};
};
inline std::vector<Archived>& archived() {
  static std::vector<Archived> filed;
  return filed;
}

inline asynclab::Task<Reading> measure(std::string sensor, int seq) {
  co_await asynclab::sleep(measure_time);
  co_return Reading{std::move(sensor), seq};
}

inline asynclab::Task<void> archive(Reading reading) {
  co_await asynclab::sleep(archive_time);
  archived().push_back(Archived{std::move(reading), asynclab::now().time_since_epoch()});
}

}  // namespace pipeline
