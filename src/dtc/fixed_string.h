#pragma once
// FixedString<N>: a DTC char[N] text field (dtc.md §2.6).
//
// On the wire the field is exactly N bytes: the text, then NULs, and the last byte is always
// NUL, so at most N-1 characters fit. Holding the N bytes inline keeps a decoded message free
// of allocations and makes the wire length part of the type, so the encoder cannot write a
// field at the wrong width.
//
// Invariant: chars_ holds the text and is zero from the first NUL to the end. Both assignment
// and decoding establish it (they copy at most N-1 bytes and stop at the first NUL, like the
// reference getter), so a decoded field never lacks a terminator and equality is bytewise.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace daytrader::dtc {

template <std::size_t N>
class FixedString {
  static_assert(N >= 1, "a DTC text field needs room for its terminator");

 public:
  // Longest text that fits; the last byte is the terminator.
  static constexpr std::size_t kCapacity = N - 1;

  constexpr FixedString() noexcept = default;

  // Implicit, so that `msg.symbol = "ESZ5";` reads naturally. Text past kCapacity is cut, as
  // the protocol's senders do; code sending ids that must stay unique checks fits() first.
  constexpr FixedString(std::string_view text) noexcept {  // NOLINT(google-explicit-constructor)
    assign(text);
  }
  constexpr FixedString(const char* text) noexcept  // NOLINT(google-explicit-constructor)
      : FixedString(std::string_view(text)) {}
  FixedString(const std::string& text) noexcept  // NOLINT(google-explicit-constructor)
      : FixedString(std::string_view(text)) {}

  [[nodiscard]] static constexpr bool fits(std::string_view text) noexcept {
    return text.size() <= kCapacity && text.find('\0') == std::string_view::npos;
  }

  // Stores text up to kCapacity bytes or its first NUL; returns false when text was cut.
  constexpr bool assign(std::string_view text) noexcept {
    const std::size_t nul = text.find('\0');
    const std::size_t len = std::min({text.size(), nul, kCapacity});
    chars_.fill('\0');
    std::copy_n(text.begin(), len, chars_.begin());
    return len == text.size();
  }

  // Decodes the N wire bytes (§2.6): never trusts the sender's terminator.
  constexpr void assign_wire(std::span<const std::uint8_t, N> bytes) noexcept {
    chars_.fill('\0');
    for (std::size_t i = 0; i < kCapacity && bytes[i] != 0; ++i)
      chars_[i] = static_cast<char>(bytes[i]);
  }

  // Encodes the N wire bytes: the text, then zero fill including the terminator.
  constexpr void write_wire(std::span<std::uint8_t, N> out) const noexcept {
    for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(chars_[i]);
  }

  [[nodiscard]] constexpr std::string_view view() const noexcept {
    return std::string_view(chars_.data(), size());
  }
  [[nodiscard]] std::string str() const { return std::string(view()); }
  [[nodiscard]] constexpr std::size_t size() const noexcept {
    return static_cast<std::size_t>(std::find(chars_.begin(), chars_.end(), '\0') - chars_.begin());
  }
  [[nodiscard]] constexpr bool empty() const noexcept { return chars_[0] == '\0'; }

  friend constexpr bool operator==(const FixedString&, const FixedString&) = default;
  friend constexpr bool operator==(const FixedString& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  // Without this, `s == "text"` would be ambiguous between the two overloads above.
  friend constexpr bool operator==(const FixedString& a, const char* b) noexcept {
    return a.view() == std::string_view(b);
  }

 private:
  std::array<char, N> chars_{};
};

}  // namespace daytrader::dtc
