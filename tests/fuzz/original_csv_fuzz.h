#pragma once
// Fuzz entry for the original system's CSV parser, interop::parse_original_csv (original_csv_fuzz.cpp).

#include <cstddef>
#include <cstdint>

namespace daytrader::fuzz {

// The input is the text of an ES_tuples.csv. Never crashes; aborts when a property fails.
int original_csv_fuzz_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace daytrader::fuzz
