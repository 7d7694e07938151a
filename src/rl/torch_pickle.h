#pragma once
// Reads a PyTorch state dict saved with torch.save (the zip format of PyTorch >= 1.6, including
// 2.x files) without libtorch: a zip holding <prefix>/data.pkl (a pickle, protocol 2) and one raw
// little-endian storage per tensor in <prefix>/data/<key>.
//
// Why not torch::pickle_load: libtorch 1.13's unpickler turns collections.OrderedDict into None
// (it only expects one as a tensor's empty backward-hooks argument), and a state_dict() is an
// OrderedDict, so loading policy.pth fails with "Expected GenericDict but got None". This reader
// implements the pickle opcodes torch.save emits and the few globals a state dict uses
// (collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter,
// torch.{Float,Double}Storage persistent ids); anything else is rejected with its name.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "rl/policy_weights.h"

namespace daytrader::rl {

// `pth` = the bytes of a .pth file; `source` names it in errors. Tensors come out in the
// dict's order, float64 storages converted to float32. Never throws on bad bytes.
[[nodiscard]] core::Result<std::vector<NamedTensor>> read_torch_state_dict(std::string_view pth,
                                                                          const std::string& source) noexcept;

// Zip helpers (libzip). read_zip_member reads one member of a zip file on disk or in memory.
[[nodiscard]] core::Result<std::string> read_zip_member_from_file(const std::string& zip_path,
                                                                  const std::string& member) noexcept;
[[nodiscard]] core::Result<std::vector<std::string>> list_zip_members(std::string_view zip_bytes,
                                                                      const std::string& source) noexcept;
[[nodiscard]] core::Result<std::string> read_zip_member(std::string_view zip_bytes, const std::string& member,
                                                        const std::string& source) noexcept;

}  // namespace daytrader::rl
