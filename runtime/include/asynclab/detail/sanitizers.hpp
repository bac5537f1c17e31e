#pragma once
// Which sanitizer this translation unit is built with, the same way on both compilers: GCC defines
// __SANITIZE_ADDRESS__ / __SANITIZE_THREAD__, Clang answers __has_feature(...) instead (Clang 19
// defines neither macro). Code that must know (the frame pool hands ASan every frame, fibers tell
// ASan about their stacks, worker threads tell TSan about their hand-offs) tests these.
#if defined(__SANITIZE_ADDRESS__)
#define ASYNCLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASYNCLAB_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define ASYNCLAB_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ASYNCLAB_TSAN 1
#endif
#endif
