// Grader of exercise 01 (lazy: make the forgotten future run). Each TEST_CASE is one graded point,
// tagged [task_N].
#include <algorithm>
#include <expected>
#include <string>
#include <vector>

#include "grading.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::expected<void, sim::http::HttpError>> text_mom(std::string news);

namespace {

const std::string news = "I got the job!";
const std::string gateway = "https://sms.example/";

// The gateway answers in 120 ms; `down` makes it refuse every connection.
std::function<void(Runtime::Builder&)> world(bool down = false) {
  return [down](Runtime::Builder& builder) {
    sim::Network net;
    net.host("sms.example").latency(120ms);
    if (down) net.host("sms.example").fail(sim::HttpFailure::connection_refused);
    builder.network(net);
  };
}

// Every request that reached the gateway: one per text sent.
std::vector<trace::Event> texts_sent(const grading::GradedRun& run) {
  return run.query().events_if([&](const trace::Event& e) {
    return e.kind == trace::EventKind::request_begin && run.trace.string(e.b).starts_with(gateway);
  });
}

// Tasks that main spawned and that were never polled: dropped when the run ended.
std::vector<std::uint32_t> spawned_never_polled(const grading::GradedRun& run) {
  const auto q = run.query();
  const std::uint32_t main = q.task_named("main");
  std::vector<std::uint32_t> out;
  for (const auto& e : q.events(trace::EventKind::task_spawned))
    if (e.task != main && e.a == main && q.count(trace::EventKind::poll_begin, e.task) == 0)
      out.push_back(e.task);
  return out;
}

// "send_text (01-lazy/sms.hpp:19)": the coroutine a forgotten-future lint names, as a learner reads it
// (the compiler's name for it is the whole signature).
std::string forgotten_where(const trace::Trace& t, const trace::Event& lint) {
  std::string function(t.string(t.location(lint.b).function));
  function.erase(std::min(function.find('('), function.size()));
  if (auto space = function.find_last_of(' '); space != std::string::npos) function.erase(0, space + 1);
  return fmt::format("{} ({})", function.empty() ? "a coroutine" : function, t.describe_location(lint.b));
}

std::string times(const std::vector<trace::Event>& events) {
  std::string out;
  for (const auto& e : events)
    out += (out.empty() ? "" : ", ") + grading::GradedRun::at(trace::TraceQuery::time(e));
  return out;
}

}  // namespace

TEST_CASE("Mom gets the text exactly once", "[ex01][task_1]") {
  for (auto seed : grading::seeds) {
    auto run = grading::run_graded(
        "01-lazy", seed, [] { return text_mom(news); }, world());
    grading::require_finished(run);
    const auto sent = texts_sent(run);
    if (sent.empty() && !spawned_never_polled(run).empty())
      grading::fail(
          fmt::format("seed {}: no request ever reached {} — you spawned the sending, but text_mom "
                      "returned at {} before the spawned task was polled once, and the runtime "
                      "dropped it when main ended",
                      seed, gateway, grading::GradedRun::at(run.end())),
          "one request to the gateway",
          "exercise.cpp: a spawned task runs only when main yields to the executor, and the run ends "
          "with main (as under #[tokio::main]): await the JoinHandle, or simply await the future");
    if (sent.empty())
      grading::fail(
          fmt::format("seed {}: no request ever reached {}; text_mom returned at {} and the message was "
                      "never sent",
                      seed, gateway, grading::GradedRun::at(run.end())),
          "one request to the gateway",
          "exercise.cpp: `send_text(...)` only builds a future — nothing is sent until something "
          "polls it. co_await it");
    if (sent.size() > 1)
      grading::fail(
          fmt::format("seed {}: Mom got the text {} times (requests at {})", seed, sent.size(), times(sent)),
          "exactly one request to the gateway",
          "exercise.cpp: every future you build and await (or spawn) sends once more — is it awaited "
          "in a loop that goes on after a success, or built and awaited twice?");
  }
}

TEST_CASE("no future is forgotten: nothing is dropped without ever being polled", "[ex01][task_2]") {
  for (auto seed : grading::seeds) {
    auto run = grading::run_graded(
        "01-lazy", seed, [] { return text_mom(news); }, world());
    grading::require_finished(run);
    const auto lints = run.query().lints(trace::LintKind::forgotten_future);
    if (!lints.empty())
      grading::fail(fmt::format("seed {}: a future of {} was dropped at {} without ever being polled (the "
                                "forgotten-future lint{})",
                                seed, forgotten_where(run.trace, lints.front()),
                                grading::GradedRun::at(trace::TraceQuery::time(lints.front())),
                                lints.size() > 1 ? fmt::format(", {} times", lints.size()) : ""),
                    "every future you build is awaited (or spawned): no forgotten-future lint",
                    "exercise.cpp: a future you build and never await — even one sitting next to another "
                    "call you do await — is work that silently never happens");
  }
}

TEST_CASE("a text the gateway refuses comes back as the gateway's error", "[ex01][task_3]") {
  for (auto seed : grading::seeds) {
    std::optional<std::expected<void, sim::http::HttpError>> got;
    auto run = grading::run_graded(
        "01-lazy", seed, [] { return text_mom(news); }, world(true), [&](auto v) { got = std::move(v); });
    grading::require_finished(run);
    if (!got || *got)
      grading::fail(fmt::format("seed {}: with the gateway refusing connections, text_mom returned {} at {}",
                                seed, got ? "success" : "nothing", grading::GradedRun::at(run.end())),
                    "the gateway's error (std::unexpected), which only awaiting the send can give you",
                    "exercise.cpp: what you co_return — the result of sending, not a success you assume");
    if (!got->error().url.starts_with(gateway))
      grading::fail(fmt::format("seed {}: text_mom returned an error about {}", seed, got->error().url),
                    "the error of the request to " + gateway, "exercise.cpp: which error you return");
    // Exactly once holds when the gateway refuses too: a retry is one more text on its way to Mom
    // the moment the gateway comes back.
    if (const auto sent = texts_sent(run); sent.size() > 1)
      grading::fail(fmt::format("seed {}: with the gateway refusing connections, text_mom sent the text {} times "
                                "(requests at {}) before returning the error",
                                seed, sent.size(), times(sent)),
                    "one request, refused, and its error returned: the text is sent exactly once",
                    "exercise.cpp: a retry loop sends the text again each round — return the first answer");
  }
}
