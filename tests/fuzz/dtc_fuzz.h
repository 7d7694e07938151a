#pragma once
// The DTC fuzz entry, shared by the libFuzzer target (clang) and the corpus gtest (any
// compiler). Input format: byte 0 picks how the rest is fed and bounded, bytes 1.. are the
// stream (see dtc_fuzz.cpp).

#include <cstddef>
#include <cstdint>

namespace daytrader::fuzz {

// Returns 0; aborts (a libFuzzer finding, a gtest crash) when a property is violated.
int dtc_fuzz_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace daytrader::fuzz
