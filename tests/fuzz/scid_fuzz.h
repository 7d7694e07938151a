#pragma once
// Fuzz entry for the SCID file reader and the bar builder over its records (scid_fuzz.cpp).

#include <cstddef>
#include <cstdint>

namespace daytrader::fuzz {

// The input is a whole .scid file. Never crashes; aborts when a property fails.
int scid_fuzz_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace daytrader::fuzz
