#pragma once
// Fuzz entry for Sierra Chart's text export parser, interop::parse_sierra_text and the bars built
// from it (sierra_text_fuzz.cpp).

#include <cstddef>
#include <cstdint>

namespace daytrader::fuzz {

// The input is the text of an "Export Bar Data to Text File" file. Never crashes; aborts when a
// property fails.
int sierra_text_fuzz_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace daytrader::fuzz
