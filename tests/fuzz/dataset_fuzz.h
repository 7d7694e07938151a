#pragma once
// Fuzz entry for the dataset reader, dataset::Dataset::open (dataset_fuzz.cpp).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace daytrader::fuzz {

// Byte 0 of the input is a mode (kDatasetReseal...), the rest a .dtds file. Never crashes;
// aborts when a property fails.
int dataset_fuzz_one_input(const std::uint8_t* data, std::size_t size);

// Mode bits. The file's CRC-32 covers every byte, so a mutated file would almost never get past
// the checksum: with kDatasetFixSize the header's file_size is set to the real size, and with
// kDatasetReseal the CRC is recomputed (after the size), so the structural checks behind the
// checksum are reached.
inline constexpr std::uint8_t kDatasetFixSize = 0x01;
inline constexpr std::uint8_t kDatasetReseal = 0x02;

// The file the entry opens: the input after its mode byte, with the mode's fixes applied.
[[nodiscard]] std::vector<std::uint8_t> dataset_fuzz_file(const std::uint8_t* data, std::size_t size);

}  // namespace daytrader::fuzz
