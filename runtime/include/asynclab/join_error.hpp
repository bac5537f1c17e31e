#pragma once
// JoinError: why awaiting a JoinHandle gave no value — tokio's `JoinError`.
//
// Rules:
// * Exactly one of is_cancelled() (the task was aborted, or the runtime shut down before it
//   finished) and is_panic() (an exception escaped the task) is true.
// * A panic keeps the exception: panic_message() reads what() when it was a std::exception, and
//   resume_panic() rethrows it, as Rust's `resume_unwind(err.into_panic())` does.
#include <cstdint>
#include <exception>
#include <string>

namespace asynclab {

class JoinError {
 public:
  static JoinError cancelled(std::uint32_t task_id) { return JoinError(task_id, nullptr); }
  static JoinError panic(std::uint32_t task_id, std::exception_ptr e) { return JoinError(task_id, std::move(e)); }

  bool is_cancelled() const { return !panic_; }
  bool is_panic() const { return static_cast<bool>(panic_); }
  std::uint32_t task_id() const { return task_id_; }

  std::string panic_message() const {
    if (!panic_) return {};
    try {
      std::rethrow_exception(panic_);
    } catch (const std::exception& e) {
      return e.what();
    } catch (...) {
      return "a non-standard exception";
    }
  }
  [[noreturn]] void resume_panic() const { std::rethrow_exception(panic_); }

  // "task 3 was cancelled" / "task 3 panicked: connection reset"
  std::string to_string() const {
    std::string who = "task " + std::to_string(task_id_);
    return is_cancelled() ? who + " was cancelled" : who + " panicked: " + panic_message();
  }
  // The same words, under the name every other error of the runtime uses.
  std::string message() const { return to_string(); }

 private:
  JoinError(std::uint32_t id, std::exception_ptr e) : task_id_(id), panic_(std::move(e)) {}
  std::uint32_t task_id_;
  std::exception_ptr panic_;
};

}  // namespace asynclab
