#pragma once
// Fuzz entry for the Stable-Baselines3 importer: rl::load_sb3_zip, and beneath it the torch.save
// reader rl::read_torch_state_dict (zip, pickle, storages) and rl::weights_from_tensors
// (sb3_fuzz.cpp).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace daytrader::fuzz {

// Byte 0 of the input selects what the rest is (modulo 3):
//   kSb3Model  an SB3 model zip, loaded from a file with load_sb3_zip;
//   kSb3Pth    a torch.save file (policy.pth), read with read_torch_state_dict;
//   kSb3Parts  the members themselves, split by kSb3PartSeparator: the `data` JSON, then
//              data.pkl, then the storages "0", "1", ...; the entry zips them (correct CRCs)
//              into a policy.pth and a model zip and loads it, so mutations reach the pickle
//              and the JSON checks instead of stopping at a CRC.
// Never crashes; aborts when a property fails.
int sb3_fuzz_one_input(const std::uint8_t* data, std::size_t size);

inline constexpr std::uint8_t kSb3Model = 0;
inline constexpr std::uint8_t kSb3Pth = 1;
inline constexpr std::uint8_t kSb3Parts = 2;
inline constexpr std::string_view kSb3PartSeparator = "\n--part--\n";

// The zips the entry builds in kSb3Parts mode from the parts text (the input after byte 0).
[[nodiscard]] std::string sb3_pth_from_parts(std::string_view parts);
[[nodiscard]] std::string sb3_model_from_parts(std::string_view parts);

}  // namespace daytrader::fuzz
