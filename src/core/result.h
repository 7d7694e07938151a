#pragma once
// Result<T>: the value or an Error, for code that reads untrusted bytes (files, network,
// config). Modelled on std::expected's member names so that moving to it later is a rename.

#include <string>
#include <utility>
#include <variant>

#include "core/assert.h"

namespace daytrader::core {

// An error message that names the source, the location, the field, the value and what was
// expected: "ESZ25.scid: record 1834: price 4512.13 is not on the 0.25 tick grid".
struct Error {
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}        // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & { DT_ASSERT(has_value(), error_message()); return std::get<0>(v_); }
  [[nodiscard]] const T& value() const& { DT_ASSERT(has_value(), error_message()); return std::get<0>(v_); }
  [[nodiscard]] T&& value() && { DT_ASSERT(has_value(), error_message()); return std::get<0>(std::move(v_)); }
  [[nodiscard]] const Error& error() const { DT_ASSERT(!has_value(), "Result holds a value"); return std::get<1>(v_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  [[nodiscard]] const char* error_message() const noexcept {
    return has_value() ? "" : std::get<1>(v_).message.c_str();
  }
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  [[nodiscard]] const Error& error() const { DT_ASSERT(!ok_, "Result holds a value"); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

// The exception for "cannot start": a missing file, a bad config, a model mismatch.
// main() prints what() once and exits non-zero.
class DaytraderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace daytrader::core
