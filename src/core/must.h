#pragma once
// For code that cannot go on without a value (a command, a training run): a Result's value, or
// its error thrown as the "cannot start" DaytraderError that main() prints once.

#include <utility>

#include <fmt/format.h>

#include "core/result.h"

namespace daytrader::core {

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw DaytraderError(fmt::format(f, std::forward<Args>(args)...));
}

template <typename T>
T must(Result<T> r) {
  if (!r) throw DaytraderError(r.error().message);
  return std::move(r).value();
}
inline void must(const Status& s) {
  if (!s) throw DaytraderError(s.error().message);
}

}  // namespace daytrader::core
