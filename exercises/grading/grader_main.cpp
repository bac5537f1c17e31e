// The main of every grader: Catch2's, plus a reporter named "asynclab" that writes one JSON line per
// test case — its name, tags, whether it passed, and its first failure as the learner should read
// it — so `asynclab grade` and the tests read results without parsing Catch2's console output.
//
//   {"name": "...", "tags": ["ex04", "task_2"], "passed": false, "kind": "failed", "message": "..."}
//
// `kind` is "passed", "failed" (an assertion or fail()), "threw" (an exception escaped a test), or
// "crashed" (a signal Catch2 caught: the learner's code did something fatal).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace {

class JsonLinesReporter : public Catch::StreamingReporterBase<JsonLinesReporter> {
 public:
  using StreamingReporterBase::StreamingReporterBase;
  static std::string getDescription() { return "one JSON line per test case, for asynclab grade"; }

  void testCaseStarting(Catch::TestCaseInfo const& info) override {
    StreamingReporterBase::testCaseStarting(info);
    kind_ = "passed";
    message_.clear();
  }

  void assertionStarting(Catch::AssertionInfo const&) override {}

  bool assertionEnded(Catch::AssertionStats const& stats) override {
    const Catch::AssertionResult& result = stats.assertionResult;
    if (result.isOk() || !message_.empty()) return true;  // only the first failure teaches
    switch (result.getResultType()) {
      case Catch::ResultWas::ThrewException: kind_ = "threw"; break;
      case Catch::ResultWas::FatalErrorCondition: kind_ = "crashed"; break;
      default: kind_ = "failed"; break;
    }
    std::string text;
    // INFO/CAPTURE context first; FAIL's own text is among the info messages too, and comes last.
    for (const auto& info : stats.infoMessages)
      if (info.message != result.getMessage()) text += info.message + "\n";
    if (result.hasExpression()) {
      text += result.getExpressionInMacro();
      if (result.hasExpandedExpression() && result.getExpandedExpression() != result.getExpression())
        text += "\n  with expansion: " + result.getExpandedExpression();
      if (result.hasMessage()) text += "\n" + result.getMessage();
    } else {
      text += result.getMessage();
    }
    if (kind_ == "threw") text = "threw: " + text;
    message_ = text;
    return true;
  }

  void testCaseEnded(Catch::TestCaseStats const& stats) override {
    nlohmann::json line;
    line["name"] = stats.testInfo.name;
    line["tags"] = stats.testInfo.tags;
    const bool passed = stats.totals.assertions.failed == 0 && stats.totals.testCases.failed == 0;
    line["passed"] = passed;
    line["kind"] = passed ? "passed" : kind_ == "passed" ? "failed" : kind_;
    line["message"] = message_;
    stream << line.dump() << std::endl;  // flushed: a later crash must not lose finished tests
    StreamingReporterBase::testCaseEnded(stats);
  }

 private:
  std::string kind_ = "passed";
  std::string message_;
};

}  // namespace

CATCH_REGISTER_REPORTER("asynclab", JsonLinesReporter)
