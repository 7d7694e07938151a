#pragma once
// The weights of an SB3 MlpPolicy for a Discrete action space, as plain float arrays in PyTorch's
// layout (Linear weight [out][in], row-major). Torch-free so that backtests and live trading can
// load and run a policy without libtorch in their headers.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace daytrader::rl {

struct DenseLayer {
  std::size_t in = 0;
  std::size_t out = 0;
  std::vector<float> weight;  // [out][in]
  std::vector<float> bias;    // [out]

  DenseLayer() = default;
  DenseLayer(std::size_t in_features, std::size_t out_features)
      : in(in_features), out(out_features), weight(in_features * out_features, 0.0F), bias(out_features, 0.0F) {}
  friend bool operator==(const DenseLayer&, const DenseLayer&) = default;
};

// Actor: obs -> policy_net (Linear + tanh)* -> action_net -> logits [k].
// Critic: obs -> value_net (Linear + tanh)* -> value_head -> value [1].
struct PolicyWeights {
  std::vector<DenseLayer> policy_net;
  std::vector<DenseLayer> value_net;
  DenseLayer action_net;
  DenseLayer value_head;

  // Zero-initialised weights of the given shape.
  static PolicyWeights zeros(std::size_t observation_size, std::size_t num_actions,
                             std::span<const std::int64_t> policy_hidden, std::span<const std::int64_t> value_hidden);

  [[nodiscard]] std::size_t observation_size() const { return action_net.out == 0 ? 0 : first_in(); }
  [[nodiscard]] std::size_t num_actions() const { return action_net.out; }
  [[nodiscard]] std::size_t parameter_count() const;
  [[nodiscard]] std::vector<std::int64_t> policy_hidden() const;
  [[nodiscard]] std::vector<std::int64_t> value_hidden() const;

  // Shapes chain (each layer's in = previous out, value_head.out = 1, sizes match vectors).
  [[nodiscard]] core::Status check() const;

  // The tensors in SB3's state-dict (and optimiser parameter) order, with SB3's key names:
  // mlp_extractor.policy_net.{0,2,..}.{weight,bias}, mlp_extractor.value_net.{0,2,..}.{weight,bias},
  // action_net.{weight,bias}, value_net.{weight,bias}. Shapes as PyTorch ({out, in} and {out}).
  struct TensorRef {
    std::string name;
    std::vector<std::int64_t> shape;
    std::span<float> data;
  };
  struct ConstTensorRef {
    std::string name;
    std::vector<std::int64_t> shape;
    std::span<const float> data;
  };
  [[nodiscard]] std::vector<TensorRef> tensors();
  [[nodiscard]] std::vector<ConstTensorRef> tensors() const;

  friend bool operator==(const PolicyWeights&, const PolicyWeights&) = default;

 private:
  [[nodiscard]] std::size_t first_in() const {
    return policy_net.empty() ? action_net.in : policy_net.front().in;
  }
};

// A named float32 tensor, the unit of the model folder's binary files.
struct NamedTensor {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float> data;
};

// Binary file of named float32 tensors: "DTTENSR1", u32 count, then per tensor u32 name length,
// name, u32 rank, i64 dims, little-endian float32 data; finally the FNV-1a 64 hash of all
// preceding bytes. read_tensor_file never throws on bad bytes; it names the file and the problem.
[[nodiscard]] core::Status write_tensor_file(const std::string& path, std::span<const NamedTensor> tensors);
[[nodiscard]] core::Result<std::vector<NamedTensor>> read_tensor_file(const std::string& path);

// Builds weights from named tensors with SB3's key names (any hidden depth), checking shapes.
// `source` prefixes error messages (a file name).
[[nodiscard]] core::Result<PolicyWeights> weights_from_tensors(std::span<const NamedTensor> tensors,
                                                              const std::string& source);
[[nodiscard]] std::vector<NamedTensor> weights_to_tensors(const PolicyWeights& w);

// The whole file as bytes, or an error naming it.
[[nodiscard]] core::Result<std::string> read_file_bytes(const std::string& path);

}  // namespace daytrader::rl
