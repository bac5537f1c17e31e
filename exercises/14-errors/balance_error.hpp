#pragma once
// What can go wrong in exercise 14's fetch_balance, as a value — Rust's error enum, the E in
// Result<T, E>. Don't edit it: the grader reads the same one.
#include <string>

struct BalanceError {
  enum class Kind {
    config_missing,  // bank.conf could not be read
    request_failed,  // the request got no answer (connection refused, reset, timed out)
    bad_status,      // an answer, but not 2xx: an error page, not a balance
    bad_body,        // a 2xx answer whose body is not a whole number
  };
  Kind kind = Kind::request_failed;
  std::string detail;  // what it was about: the path, the URL, the status, the body
};
