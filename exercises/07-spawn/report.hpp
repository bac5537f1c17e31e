#pragma once
// Given for exercise 07 — read it, but leave it as it is: the work to spawn, and what the dashboard
// holds.
#include <cstddef>
#include <stdexcept>
#include <string>

#include "asynclab/asynclab.hpp"

inline const std::string profile_url = "https://api.example/profile";       // answers in 200 ms
inline const std::string report_data_url = "https://reports.example/week";  // answers in 300 ms

// The work to spawn — seed C's `async { sleep(..).await; "task complete" }`, with a request instead
// of the sleep: fetches the week's data and renders a line. When the data cannot be had it panics:
// it throws, as Rust code calling `.unwrap()` on the response would.
inline asynclab::Task<std::string> render_report() {
  auto data = co_await asynclab::sim::http::get(report_data_url);
  if (!data) throw std::runtime_error("render_report panicked: " + data.error().message());
  co_return "weekly report: " + std::to_string(data->body.size() / 100) + " rows";
}

struct Dashboard {
  std::size_t profile_bytes = 0;  // main's own work: the size of the profile it fetched
  std::string report;             // what the report task gave back
};
