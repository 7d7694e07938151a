#pragma once
// Fuzz entry for the training metrics file, train::parse_metrics_csv, and the run report's
// curves drawn from what it accepts (metrics_csv_fuzz.cpp).

#include <cstddef>
#include <cstdint>

namespace daytrader::fuzz {

// The input is the text of a metrics.csv. Never crashes; aborts when a property fails.
int metrics_csv_fuzz_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace daytrader::fuzz
