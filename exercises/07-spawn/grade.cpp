// Grader of exercise 07 (spawn and do other work). Each TEST_CASE is one graded point, tagged
// [task_N].
#include <expected>
#include <optional>
#include <string>

#include "grading.hpp"
#include "report.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::expected<Dashboard, std::string>> dashboard();

namespace {

// The profile answers in 200 ms with 830 bytes; the report's data in 300 ms with 4200 bytes ("42
// rows"). `report_panics` makes the report's data route refuse connections: render_report throws.
// `profile_fails` makes the profile's route refuse connections (after its 200 ms).
std::function<void(Runtime::Builder&)> world(bool report_panics = false, bool profile_fails = false) {
  return [report_panics, profile_fails](Runtime::Builder& builder) {
    sim::Network net;
    net.url(profile_url).latency(200ms).body_size(830);
    net.url(report_data_url).latency(300ms).body_size(4200);
    if (report_panics) net.url(report_data_url).fail(sim::HttpFailure::connection_refused);
    if (profile_fails) net.url(profile_url).fail(sim::HttpFailure::connection_refused);
    builder.network(net);
  };
}

std::string at(Duration d) { return grading::GradedRun::at(d); }

using grading::Request;

std::optional<Request> request_to(const grading::GradedRun& run, const std::string& url) {
  return grading::first_request_to(run, url);
}

std::string task_name(const trace::Trace& t, std::uint32_t id) {
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i].kind == trace::EventKind::task_spawned && t[i].task == id)
      return fmt::format("\"{}\"", t.string(t.site(t[i].b).name));
  return fmt::format("{}", id);
}

std::string span(const Request& r) { return fmt::format("from {} to {}", at(r.began), at(r.ended)); }

// Task 4's program: a server that builds a dashboard, then goes on serving for 500 ms — time in which
// a report task nobody stopped would still be working.
struct Served {
  std::expected<Dashboard, std::string> dashboard;
  Duration returned_at;  // when dashboard() returned, on the run's clock
};
Task<Served> serve_a_dashboard() {
  const Instant start = Instant::now();
  auto result = co_await dashboard();
  const Duration returned_at = start.elapsed();
  co_await sleep(500ms);
  co_return Served{std::move(result), returned_at};
}

}  // namespace

TEST_CASE("the spawned report task and main's own work overlap: done at 300 ms, not 500 ms",
          "[ex07][task_1]") {
  for (auto seed : grading::seeds) {
    auto run = grading::run_graded(
        "07-spawn", seed, [] { return dashboard(); }, world());
    grading::require_finished(run);
    const std::uint32_t main = run.query().task_named("main");
    const auto report = request_to(run, report_data_url);
    const auto profile = request_to(run, profile_url);
    if (!report || !profile)
      grading::fail(fmt::format("seed {}: {} was never requested; the run ended at {}", seed,
                                report ? profile_url : report_data_url, at(run.end())),
                    "the report task fetches " + report_data_url + " and main fetches " + profile_url,
                    "exercise.cpp: both pieces of work must run: render_report() and the profile request");
    if (report->task == main)
      grading::fail(
          fmt::format("seed {}: task \"main\" ran render_report itself ({} {}) — no task of its own ran "
                      "it; the run ended at {}",
                      seed, report_data_url, span(*report), at(run.end())),
          "render_report runs in a spawned task while main fetches the profile",
          "exercise.cpp: `auto handle = spawn(render_report(), \"report\");` hands it to the executor "
          "as a task of its own");
    if (profile->task != main)
      grading::fail(fmt::format("seed {}: the profile was fetched by task {}, not by \"main\"", seed,
                                task_name(run.trace, profile->task)),
                    "main does its own work (the profile) while the report task runs",
                    "exercise.cpp: spawn the report only; main fetches the profile itself");
    const bool overlap = report->began < profile->ended && profile->began < report->ended;
    if (!overlap)
      grading::fail(
          fmt::format("seed {}: the report task {} fetched {} {}, and main fetched the profile {}: one "
                      "after the other; the run ended at {}",
                      seed, task_name(run.trace, report->task), report_data_url, span(*report),
                      span(*profile), at(run.end())),
          "both in flight together from 0 ms, done at 300 ms (the slower of the two)",
          "exercise.cpp: await the JoinHandle only after main's own work — awaiting it first waits "
          "for the whole report before main starts");
    if (report->cancelled)
      grading::fail(
          fmt::format("seed {}: dashboard returned at {} while the report task {} was still fetching; the "
                      "task was dropped mid-request when the run ended",
                      seed, at(run.end()), task_name(run.trace, report->task)),
          "main awaits the JoinHandle, so the run ends at 300 ms with the report done",
          "exercise.cpp: a JoinHandle you never await detaches the task, and the run ends with main");
    if (run.end() != 300ms)
      grading::fail(fmt::format("seed {}: the run ended at {} (report {}, profile {})", seed, at(run.end()),
                                span(*report), span(*profile)),
                    "done at 300 ms: the slower of the two",
                    "exercise.cpp: what main awaits, and in which order");
  }
}

TEST_CASE("the JoinHandle's value is used: the dashboard carries the report task's text", "[ex07][task_2]") {
  for (auto seed : grading::seeds) {
    std::optional<std::expected<Dashboard, std::string>> got;
    auto run = grading::run_graded(
        "07-spawn", seed, [] { return dashboard(); }, world(), [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || !*got)
      grading::fail(fmt::format("seed {}: dashboard returned {}", seed,
                                got ? fmt::format("the error \"{}\"", got->error()) : "nothing"),
                    "a Dashboard: 830 profile bytes and \"weekly report: 42 rows\"",
                    "exercise.cpp: nothing failed in this run — what you co_return");
    if ((*got)->report != "weekly report: 42 rows" || (*got)->profile_bytes != 830)
      grading::fail(
          fmt::format("seed {}: dashboard returned {{profile_bytes: {}, report: \"{}\"}}", seed,
                      (*got)->profile_bytes, (*got)->report),
          "{profile_bytes: 830, report: \"weekly report: 42 rows\"} — the report is the value the "
          "spawned task returned",
          "exercise.cpp: `co_await handle` gives std::expected<std::string, JoinError>: its value is the "
          "report");
  }
}

TEST_CASE("a panic in the report task comes back as an error value, not an exception", "[ex07][task_3]") {
  for (auto seed : grading::seeds) {
    std::optional<std::expected<Dashboard, std::string>> got;
    auto run = grading::run_graded(
        "07-spawn", seed, [] { return dashboard(); }, world(true), [&](auto v) { got = std::move(v); });
    if (run.panic)
      grading::fail(
          fmt::format("threw (seed {}): an exception escaped your code at {}: {} — the report task's panic "
                      "went straight through dashboard",
                      seed, at(run.end()), *run.panic),
          "an error value (std::unexpected) that says what the report task panicked with",
          "exercise.cpp: a panic stays inside the spawned task and comes out of `co_await handle` as a "
          "JoinError — unless `.value()` (Rust's `.unwrap()`) rethrows it. Test `if (!joined)` instead");
    grading::require_finished(run);
    if (!got || *got)
      grading::fail(
          fmt::format("seed {}: with render_report panicking, dashboard returned {}", seed,
                      got ? fmt::format("a Dashboard with report \"{}\"", (*got)->report) : "nothing"),
          "an error value (std::unexpected) that says what the report task panicked with",
          "exercise.cpp: what you do when the JoinHandle's result is a JoinError");
    if (got->error().find("render_report panicked") == std::string::npos)
      grading::fail(fmt::format("seed {}: dashboard returned the error \"{}\"", seed, got->error()),
                    "an error that carries the panic's message (\"render_report panicked: ...\")",
                    "exercise.cpp: JoinError's panic_message() (or to_string()) says what the task threw");
  }
}

TEST_CASE("a failed profile is returned at once, and the report task is stopped, not left running",
          "[ex07][task_4]") {
  for (auto seed : grading::seeds) {
    std::optional<Served> got;
    auto run = grading::run_graded(
        "07-spawn", seed, [] { return serve_a_dashboard(); }, world(false, true),
        [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || got->dashboard)
      grading::fail(fmt::format("seed {}: with {} refusing connections, dashboard returned {}", seed, profile_url,
                                got ? "a Dashboard" : "nothing"),
                    "an error value (std::unexpected) that says the profile could not be fetched",
                    "exercise.cpp: what you do when the profile's response is an error");
    if (got->returned_at != 200ms)
      grading::fail(fmt::format("seed {}: dashboard gave up at {}, though the profile had failed at 200 ms", seed,
                                at(got->returned_at)),
                    "the profile's error returned at 200 ms, the moment it is known: without a profile there "
                    "is no dashboard, so the report is not worth waiting for",
                    "exercise.cpp: check the profile before you await the JoinHandle");
    const auto report = request_to(run, report_data_url);
    if (report && !report->cancelled && report->ended > got->returned_at)
      grading::fail(
          fmt::format("seed {}: dashboard returned at {}, but the report task {} went on: it fetched {} {} and "
                      "rendered a report nobody will read",
                      seed, at(got->returned_at), task_name(run.trace, report->task), report_data_url,
                      span(*report)),
          "the report task stopped when dashboard gives up: its request dropped at 200 ms",
          "exercise.cpp: returning drops the JoinHandle, and dropping a JoinHandle detaches its task — it "
          "keeps running, in Tokio too. `handle.abort()` cancels it");
  }
}
