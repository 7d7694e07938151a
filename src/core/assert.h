#pragma once
// DT_ASSERT guards invariants (bugs, not bad input). It stays on in every build type:
// the checks are cheap and a silent broken invariant in a trading system costs money.

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace daytrader::core::detail {
[[noreturn]] inline void assert_fail(const char* cond, const char* msg, const char* file, int line) {
  std::fprintf(stderr, "daytrader: invariant violated: %s (%s) at %s:%d\n", cond, msg, file, line);
  std::abort();
}
}  // namespace daytrader::core::detail

#define DT_ASSERT(cond, msg)                                                      \
  do {                                                                            \
    if (!(cond)) [[unlikely]]                                                     \
      ::daytrader::core::detail::assert_fail(#cond, (msg), __FILE__, __LINE__);   \
  } while (false)
