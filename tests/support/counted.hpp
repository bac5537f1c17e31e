#pragma once
// counted — a value that counts its own default constructions, copies, moves and destructions, after
// cppcoro's test helper of the same name. Tests use it to state exact lifetimes: "the losing branch's
// local was destroyed exactly once, and before select returned".
//
// Rules:
// * The counters are static, one set per Tag, so two kinds of counted value in one test (say the
//   winner's and the loser's) never mix. Call reset() at the start of every test that reads them.
// * A moved-from counted still counts its destruction. To assert an exact destruction count, keep
//   the counted value where it never moves (a coroutine local: frames never move), or compare
//   destructions with constructions().
// * Single-threaded, like the current-thread runtime it is used with.
namespace asynclab::testing {

template <class Tag>
struct basic_counted {
  static inline int default_constructions = 0;
  static inline int copy_constructions = 0;
  static inline int move_constructions = 0;
  static inline int copy_assignments = 0;
  static inline int move_assignments = 0;
  static inline int destructions = 0;

  static void reset() {
    default_constructions = copy_constructions = move_constructions = 0;
    copy_assignments = move_assignments = destructions = 0;
  }
  static int constructions() { return default_constructions + copy_constructions + move_constructions; }
  // Objects constructed and not yet destroyed.
  static int alive() { return constructions() - destructions; }

  // Which default construction this value descends from (copies keep it; a moved-from value has -1).
  int id;

  basic_counted() : id(default_constructions++) {}
  basic_counted(const basic_counted& other) : id(other.id) { ++copy_constructions; }
  basic_counted(basic_counted&& other) noexcept : id(other.id) {
    ++move_constructions;
    other.id = -1;
  }
  basic_counted& operator=(const basic_counted& other) {
    id = other.id;
    ++copy_assignments;
    return *this;
  }
  basic_counted& operator=(basic_counted&& other) noexcept {
    id = other.id;
    other.id = -1;
    ++move_assignments;
    return *this;
  }
  ~basic_counted() { ++destructions; }
};

struct counted_tag {};
using counted = basic_counted<counted_tag>;

}  // namespace asynclab::testing
