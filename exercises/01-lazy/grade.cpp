// Grader of exercise 01 (lazy: texts go out when they are awaited). Each TEST_CASE is one graded
// point, tagged [task_N].
#include <algorithm>
#include <cstddef>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grading.hpp"
#include "sms.hpp"

using namespace asynclab;
using namespace std::chrono_literals;

Task<std::expected<std::size_t, sim::http::HttpError>> text_family(std::string news, std::vector<std::string> family);

namespace {

using Result = std::expected<std::size_t, sim::http::HttpError>;

const std::string news = "Baby Ada was born, 3.4 kg!";
const std::string gateway = "https://sms.example/";
// Families of several sizes: the order is a rule, so a solution that happens to keep one order fails.
const std::vector<std::vector<std::string>> families{
    {"Grandma", "Mom", "Dad", "Ana", "Leo"},
    {"Leo", "Ana", "Grandma"},
    {"Mom"},
    {},
};

// The gateway answers in 120 ms; `refused` names the people whose text it refuses.
std::function<void(Runtime::Builder&)> world(std::vector<std::string> refused = {}) {
  return [refused](Runtime::Builder& builder) {
    sim::Network net;
    net.host("sms.example").latency(120ms);
    for (const auto& person : refused)
      net.url(text_url(person, news)).latency(120ms).fail(sim::HttpFailure::connection_refused);
    builder.network(net);
  };
}

struct Text {
  std::string to;  // whose text it is ("?" for a URL of no one in the family)
  std::chrono::nanoseconds sent{0};
  std::optional<std::chrono::nanoseconds> answered;
};

// Every request that reached the gateway, in the order they began, with when each was answered.
std::vector<Text> texts_sent(const grading::GradedRun& run, const std::vector<std::string>& family) {
  std::vector<Text> texts;
  std::map<std::uint64_t, std::size_t> by_request;
  for (std::size_t i = 0; i < run.trace.size(); ++i) {
    const trace::Event e = run.trace[i];
    if (e.kind == trace::EventKind::request_begin && run.trace.string(e.b).starts_with(gateway)) {
      const std::string url(run.trace.string(e.b));
      std::string to = "?";
      for (const auto& person : family)
        if (url == text_url(person, news)) to = person;
      by_request[e.a] = texts.size();
      texts.push_back(Text{to, trace::TraceQuery::time(e), std::nullopt});
    } else if (e.kind == trace::EventKind::request_end) {
      if (auto it = by_request.find(e.a); it != by_request.end()) texts[it->second].answered = trace::TraceQuery::time(e);
    }
  }
  return texts;
}

std::string names(const std::vector<std::string>& people) {
  if (people.empty()) return "nobody";
  std::string out;
  for (const auto& p : people) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::string who_got(const std::vector<Text>& texts) {
  std::vector<std::string> people;
  for (const auto& t : texts) people.push_back(fmt::format("{} at {}", t.to, grading::GradedRun::at(t.sent)));
  return names(people);
}

// Tasks main spawned that were never polled: dropped when the run ended.
bool spawned_never_polled(const grading::GradedRun& run) {
  const auto q = run.query();
  const std::uint32_t main = q.task_named("main");
  for (const auto& e : q.events(trace::EventKind::task_spawned))
    if (e.task != main && e.a == main && q.count(trace::EventKind::poll_begin, e.task) == 0) return true;
  return false;
}

// "send_text (01-lazy/sms.hpp:19)": the coroutine a forgotten-future lint names, as a learner reads it.
std::string forgotten_where(const trace::Trace& t, const trace::Event& lint) {
  std::string function(t.string(t.location(lint.b).function));
  function.erase(std::min(function.find('('), function.size()));
  if (auto space = function.find_last_of(' '); space != std::string::npos) function.erase(0, space + 1);
  return fmt::format("{} ({})", function.empty() ? "a coroutine" : function, t.describe_location(lint.b));
}

std::string family_text(const std::vector<std::string>& family) {
  return family.empty() ? "an empty family" : "the family " + names(family);
}

// The texts went to each person once, in order, each after the one before was answered.
void check_in_order(std::uint64_t seed, const grading::GradedRun& run, const std::vector<std::string>& family,
                    const std::vector<Text>& texts, std::string_view situation = {}) {
  const std::string where = situation.empty() ? fmt::format("seed {}, {}", seed, family_text(family)) : std::string(situation);
  if (texts.empty() && !family.empty() && spawned_never_polled(run))
    grading::fail(fmt::format("{}: no text ever reached the gateway — you spawned the sending, but text_family "
                              "returned at {} before a spawned task was polled once, and the runtime dropped "
                              "them when main ended",
                              where, grading::GradedRun::at(run.end())),
                  "one request per person, in the family's order",
                  "exercise.cpp: a spawned task runs only when main yields to the executor, and the run ends "
                  "with main: await what you spawned — or simply await each text");
  if (texts.empty() && !family.empty())
    grading::fail(fmt::format("{}: no text ever reached the gateway; text_family returned at {} without sending one",
                              where, grading::GradedRun::at(run.end())),
                  "one request per person, in the family's order",
                  "exercise.cpp: `send_text(...)` only builds a future — nothing is sent until something polls "
                  "it. co_await it");
  for (const auto& person : family) {
    const auto n = std::count_if(texts.begin(), texts.end(), [&](const Text& t) { return t.to == person; });
    if (n == 0)
      grading::fail(fmt::format("{}: {} never got a text (the gateway saw {})", where, person, who_got(texts)),
                    "one request per person", "exercise.cpp: is every person's text awaited?");
    if (n > 1)
      grading::fail(fmt::format("{}: {} got the news {} times (the gateway saw {})", where, person, n, who_got(texts)),
                    "exactly one request per person",
                    "exercise.cpp: every future you build and await sends once more — is one built twice, or "
                    "awaited again in a loop?");
  }
  std::vector<std::string> order;
  for (const auto& t : texts) order.push_back(t.to);
  if (order != family)
    grading::fail(fmt::format("{}: the texts went out in the order {}", where, names(order)),
                  "the family's order: " + names(family),
                  "exercise.cpp: a text goes out when its future is first polled — the order you await them in, "
                  "not the order you built them in");
  for (std::size_t i = 1; i < texts.size(); ++i)
    if (!texts[i - 1].answered || texts[i].sent < *texts[i - 1].answered)
      grading::fail(fmt::format("{}: {}'s text left at {}, while {}'s was still on its way{}", where, texts[i].to,
                                grading::GradedRun::at(texts[i].sent), texts[i - 1].to,
                                texts[i - 1].answered
                                    ? " (its answer came at " + grading::GradedRun::at(*texts[i - 1].answered) + ")"
                                    : ""),
                    "one text at a time: each after the gateway answered the one before (a refusal must be "
                    "known before the next person is texted)",
                    "exercise.cpp: join and spawn run texts at the same time; here each is awaited before the "
                    "next one is sent");
}

}  // namespace

TEST_CASE("each person gets the news once, in the family's order, one text at a time, and the count comes back",
          "[ex01][task_1]") {
  for (auto seed : grading::seeds) {
    for (const auto& family : families) {
      std::optional<Result> got;
      auto run = grading::run_graded(
          "01-lazy", seed, [&] { return text_family(news, family); }, world(), [&](auto v) { got = std::move(v); });
      grading::require_finished(run);
      const auto texts = texts_sent(run, family);
      check_in_order(seed, run, family, texts);
      if (!got || !*got)
        grading::fail(fmt::format("seed {}, {}: every text went through, but text_family returned {}", seed,
                                  family_text(family), got ? "an error: " + got->error().message() : "nothing"),
                      fmt::format("{} (the texts sent)", texts.size()), "exercise.cpp: what you co_return");
      if (**got != texts.size())
        grading::fail(fmt::format("seed {}, {}: text_family returned {} but {} texts reached the gateway", seed,
                                  family_text(family), **got, texts.size()),
                      fmt::format("{}: the texts that went out", texts.size()),
                      "exercise.cpp: count a text when the gateway took it, not when you wrote it");
    }
  }
}

TEST_CASE("a refused text stops the round: nobody after it is texted, and its error comes back", "[ex01][task_2]") {
  const std::vector<std::string> family = families.front();  // Grandma, Mom, Dad, Ana, Leo
  for (auto seed : grading::seeds) {
    for (const std::string refused : {"Dad", "Grandma", "Leo"}) {
      std::optional<Result> got;
      auto run = grading::run_graded(
          "01-lazy", seed, [&] { return text_family(news, family); }, world({refused}),
          [&](auto v) { got = std::move(v); });
      grading::require_finished(run);
      const auto texts = texts_sent(run, family);
      const auto stop = std::find(family.begin(), family.end(), refused);
      const std::vector<std::string> up_to(family.begin(), stop + 1);
      const std::string where = fmt::format("seed {}, the gateway refusing {}'s text", seed, refused);
      std::vector<std::string> order;
      for (const auto& t : texts) order.push_back(t.to);
      const auto refused_count = std::count(order.begin(), order.end(), refused);
      if (refused_count > 1)
        grading::fail(fmt::format("{}: {}'s refused text was sent {} times ({})", where, refused, refused_count,
                                  who_got(texts)),
                      "one request, refused, and then stop: a retry is one more text on its way the moment the "
                      "gateway comes back",
                      "exercise.cpp: return the first refusal instead of sending again");
      for (auto after = stop + 1; after != family.end(); ++after)
        if (std::find(order.begin(), order.end(), *after) != order.end())
          grading::fail(fmt::format("{}: {} was still texted after that refusal (the gateway saw {})", where, *after,
                                    who_got(texts)),
                        "texts up to and including the refused one (" + names(up_to) + "), then none",
                        "exercise.cpp: stop at the first refusal — and a text that is never sent must not be "
                        "built either");
      check_in_order(seed, run, up_to, texts, where);
      if (!got || *got)
        grading::fail(fmt::format("{}: text_family returned {} at {}", where,
                                  got ? fmt::format("success ({})", **got) : std::string("nothing"),
                                  grading::GradedRun::at(run.end())),
                      "the gateway's error (std::unexpected), which only awaiting the refused text gives you",
                      "exercise.cpp: when a text's answer is an error, co_return std::unexpected(its error)");
      if (got->error().url != text_url(refused, news))
        grading::fail(fmt::format("{}: text_family returned an error about {}", where, got->error().url),
                      "the error of " + refused + "'s text", "exercise.cpp: which error you return");
    }
  }
}

TEST_CASE("no future is forgotten: nothing is built and dropped without ever being polled", "[ex01][task_3]") {
  const std::vector<std::string> family = families.front();
  for (auto seed : grading::seeds) {
    for (const std::vector<std::string>& refused : {std::vector<std::string>{}, std::vector<std::string>{"Mom"}}) {
      auto run = grading::run_graded(
          "01-lazy", seed, [&] { return text_family(news, family); }, world(refused));
      grading::require_finished(run);
      const auto lints = run.query().lints(trace::LintKind::forgotten_future);
      if (!lints.empty())
        grading::fail(
            fmt::format("seed {}{}: a future of {} was dropped at {} without ever being polled (the "
                        "forgotten-future lint{})",
                        seed, refused.empty() ? "" : ", the gateway refusing Mom's text",
                        forgotten_where(run.trace, lints.front()),
                        grading::GradedRun::at(trace::TraceQuery::time(lints.front())),
                        lints.size() > 1 ? fmt::format(", {} times", lints.size()) : ""),
            "every future you build is awaited: no forgotten-future lint, even when a refusal stops the round",
            "exercise.cpp: a text built ahead of time and then not sent is work that silently never happens "
            "— build each text's future when it is its turn");
    }
  }
}
