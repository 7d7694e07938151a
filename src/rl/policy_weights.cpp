#include "rl/policy_weights.h"


#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace daytrader::rl {

static_assert(std::endian::native == std::endian::little, "model files are little-endian");

PolicyWeights PolicyWeights::zeros(std::size_t observation_size, std::size_t num_actions,
                                   std::span<const std::int64_t> policy_hidden,
                                   std::span<const std::int64_t> value_hidden) {
  PolicyWeights w;
  std::size_t in = observation_size;
  for (const std::int64_t h : policy_hidden) {
    w.policy_net.emplace_back(in, static_cast<std::size_t>(h));
    in = static_cast<std::size_t>(h);
  }
  w.action_net = DenseLayer(in, num_actions);
  in = observation_size;
  for (const std::int64_t h : value_hidden) {
    w.value_net.emplace_back(in, static_cast<std::size_t>(h));
    in = static_cast<std::size_t>(h);
  }
  w.value_head = DenseLayer(in, 1);
  return w;
}

std::size_t PolicyWeights::parameter_count() const {
  std::size_t n = 0;
  for (const auto& t : tensors()) n += t.data.size();
  return n;
}

std::vector<std::int64_t> PolicyWeights::policy_hidden() const {
  std::vector<std::int64_t> v;
  for (const auto& l : policy_net) v.push_back(static_cast<std::int64_t>(l.out));
  return v;
}

std::vector<std::int64_t> PolicyWeights::value_hidden() const {
  std::vector<std::int64_t> v;
  for (const auto& l : value_net) v.push_back(static_cast<std::int64_t>(l.out));
  return v;
}

core::Status PolicyWeights::check() const {
  const std::size_t d = observation_size();
  if (d == 0) return core::Error{"policy weights: observation size is 0"};
  if (action_net.out == 0) return core::Error{"policy weights: action_net has 0 outputs"};
  if (value_head.out != 1) {
    return core::Error{fmt::format("policy weights: value_net has {} outputs, expected 1", value_head.out)};
  }
  auto check_chain = [&](const std::vector<DenseLayer>& hidden, const DenseLayer& head,
                         const char* name) -> core::Status {
    std::size_t in = d;
    for (std::size_t i = 0; i < hidden.size(); ++i) {
      const auto& l = hidden[i];
      if (l.in != in || l.out == 0 || l.weight.size() != l.in * l.out || l.bias.size() != l.out) {
        return core::Error{fmt::format("policy weights: {} layer {} has shape [{}, {}] with {} weights and {} "
                                       "biases, expected {} inputs",
                                       name, i, l.out, l.in, l.weight.size(), l.bias.size(), in)};
      }
      in = l.out;
    }
    if (head.in != in || head.weight.size() != head.in * head.out || head.bias.size() != head.out) {
      return core::Error{fmt::format("policy weights: {} head has shape [{}, {}], expected {} inputs", name,
                                     head.out, head.in, in)};
    }
    return {};
  };
  if (auto s = check_chain(policy_net, action_net, "policy_net"); !s) return s;
  return check_chain(value_net, value_head, "value_net");
}

namespace {

template <typename Ref, typename Self>
std::vector<Ref> tensor_refs(Self& w) {
  std::vector<Ref> out;
  auto add = [&](const std::string& prefix, auto& layer) {
    out.push_back(Ref{prefix + ".weight",
                      {static_cast<std::int64_t>(layer.out), static_cast<std::int64_t>(layer.in)},
                      {layer.weight.data(), layer.weight.size()}});
    out.push_back(Ref{prefix + ".bias", {static_cast<std::int64_t>(layer.out)}, {layer.bias.data(), layer.bias.size()}});
  };
  for (std::size_t i = 0; i < w.policy_net.size(); ++i) {
    add(fmt::format("mlp_extractor.policy_net.{}", 2 * i), w.policy_net[i]);
  }
  for (std::size_t i = 0; i < w.value_net.size(); ++i) {
    add(fmt::format("mlp_extractor.value_net.{}", 2 * i), w.value_net[i]);
  }
  add("action_net", w.action_net);
  add("value_net", w.value_head);
  return out;
}

}  // namespace

std::vector<PolicyWeights::TensorRef> PolicyWeights::tensors() { return tensor_refs<TensorRef>(*this); }
std::vector<PolicyWeights::ConstTensorRef> PolicyWeights::tensors() const {
  return tensor_refs<ConstTensorRef>(*this);
}

// ---------------------------------------------------------------------------------------------
// Tensor files.

namespace {

constexpr char kMagic[8] = {'D', 'T', 'T', 'E', 'N', 'S', 'R', '1'};
constexpr std::uint32_t kMaxTensors = 1u << 16;
constexpr std::uint32_t kMaxName = 4096;
constexpr std::uint32_t kMaxRank = 8;

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

template <typename T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

class ByteReader {
 public:
  explicit ByteReader(std::string_view b) : b_(b) {}
  template <typename T>
  bool get(T& v) {
    if (b_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool get_bytes(std::size_t n, std::string_view& v) {
    if (b_.size() - pos_ < n) return false;
    v = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] std::size_t pos() const { return pos_; }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

}  // namespace

core::Status write_tensor_file(const std::string& path, std::span<const NamedTensor> tensors) {
  std::string out(kMagic, sizeof(kMagic));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(tensors.size()));
  for (const auto& t : tensors) {
    std::int64_t numel = 1;
    for (const auto d : t.shape) numel *= d;
    DT_ASSERT(numel == static_cast<std::int64_t>(t.data.size()), "write_tensor_file: shape and data size differ");
    put<std::uint32_t>(out, static_cast<std::uint32_t>(t.name.size()));
    out += t.name;
    put<std::uint32_t>(out, static_cast<std::uint32_t>(t.shape.size()));
    for (const auto d : t.shape) put<std::int64_t>(out, d);
    if (!t.data.empty()) out.append(reinterpret_cast<const char*>(t.data.data()), t.data.size() * sizeof(float));
  }
  put<std::uint64_t>(out, fnv1a(out));
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return core::Error{fmt::format("{}: cannot open for writing", path)};
  f.write(out.data(), static_cast<std::streamsize>(out.size()));
  f.close();
  if (!f) return core::Error{fmt::format("{}: write failed", path)};
  return {};
}

core::Result<std::string> read_file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return core::Error{fmt::format("{}: cannot open for reading", path)};
  const std::streamoff size = f.tellg();
  if (size < 0) return core::Error{fmt::format("{}: cannot determine the size", path)};
  std::string bytes(static_cast<std::size_t>(size), '\0');
  f.seekg(0);
  f.read(bytes.data(), size);
  if (!f) return core::Error{fmt::format("{}: read failed", path)};
  return bytes;
}

core::Result<std::vector<NamedTensor>> read_tensor_file(const std::string& path) {
  auto file = read_file_bytes(path);
  if (!file) return file.error();
  const std::string& bytes = *file;
  if (bytes.size() < sizeof(kMagic) + 4 + 8 || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return core::Error{fmt::format("{}: not a daytrader tensor file (expected magic \"DTTENSR1\")", path)};
  }
  std::uint64_t stored_hash = 0;
  std::memcpy(&stored_hash, bytes.data() + bytes.size() - 8, 8);
  const std::string body = bytes.substr(0, bytes.size() - 8);
  if (fnv1a(body) != stored_hash) return core::Error{fmt::format("{}: checksum mismatch (file is corrupt)", path)};
  ByteReader r(std::string_view(body).substr(sizeof(kMagic)));
  std::uint32_t count = 0;
  if (!r.get(count) || count > kMaxTensors) return core::Error{fmt::format("{}: bad tensor count", path)};
  std::vector<NamedTensor> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    NamedTensor t;
    std::uint32_t name_len = 0;
    std::string_view name;
    if (!r.get(name_len) || name_len > kMaxName || !r.get_bytes(name_len, name)) {
      return core::Error{fmt::format("{}: tensor {}: bad name", path, i)};
    }
    t.name = std::string(name);
    std::uint32_t rank = 0;
    if (!r.get(rank) || rank > kMaxRank) return core::Error{fmt::format("{}: tensor {}: bad rank", path, t.name)};
    std::uint64_t numel = 1;
    for (std::uint32_t k = 0; k < rank; ++k) {
      std::int64_t d = 0;
      if (!r.get(d) || d < 0 || d > (std::int64_t{1} << 31)) {
        return core::Error{fmt::format("{}: tensor {}: bad dimension {}", path, t.name, d)};
      }
      t.shape.push_back(d);
      numel *= static_cast<std::uint64_t>(d);
      if (numel > (std::uint64_t{1} << 31)) return core::Error{fmt::format("{}: tensor {}: too large", path, t.name)};
    }
    std::string_view data;
    if (!r.get_bytes(numel * sizeof(float), data)) {
      return core::Error{fmt::format("{}: tensor {}: data truncated", path, t.name)};
    }
    t.data.resize(numel);
    if (numel > 0) std::memcpy(t.data.data(), data.data(), data.size());
    out.push_back(std::move(t));
  }
  return out;
}

core::Result<PolicyWeights> weights_from_tensors(std::span<const NamedTensor> tensors, const std::string& source) {
  std::map<std::string, const NamedTensor*> by_name;
  for (const auto& t : tensors) by_name[t.name] = &t;
  std::size_t used = 0;
  auto take_layer = [&](const std::string& prefix, DenseLayer& layer) -> core::Status {
    const auto w = by_name.find(prefix + ".weight");
    const auto b = by_name.find(prefix + ".bias");
    if (w == by_name.end() || b == by_name.end()) {
      return core::Error{fmt::format("{}: missing tensor {}.{}", source, prefix, w == by_name.end() ? "weight" : "bias")};
    }
    const auto& ws = w->second->shape;
    const auto& bs = b->second->shape;
    if (ws.size() != 2 || bs.size() != 1 || bs[0] != ws[0] || ws[0] < 1 || ws[1] < 1) {
      return core::Error{fmt::format("{}: {} has weight shape [{}] and bias shape [{}], expected [out, in] and [out]",
                                     source, prefix, fmt::join(ws, ", "), fmt::join(bs, ", "))};
    }
    // A NaN or infinite weight would make every action and value NaN: refuse it by name.
    for (const NamedTensor* t : {w->second, b->second}) {
      for (std::size_t k = 0; k < t->data.size(); ++k) {
        if (!std::isfinite(t->data[k])) {
          return core::Error{fmt::format("{}: tensor {} element {} is {}, expected a finite number", source, t->name,
                                         k, t->data[k])};
        }
      }
    }
    layer.out = static_cast<std::size_t>(ws[0]);
    layer.in = static_cast<std::size_t>(ws[1]);
    layer.weight = w->second->data;
    layer.bias = b->second->data;
    used += 2;
    return {};
  };
  PolicyWeights pw;
  for (const char* branch : {"policy_net", "value_net"}) {
    auto& layers = std::string_view(branch) == "policy_net" ? pw.policy_net : pw.value_net;
    for (std::size_t i = 0;; ++i) {
      const std::string prefix = fmt::format("mlp_extractor.{}.{}", branch, 2 * i);
      if (!by_name.contains(prefix + ".weight")) break;
      DenseLayer l;
      if (auto s = take_layer(prefix, l); !s) return s.error();
      layers.push_back(std::move(l));
    }
  }
  if (auto s = take_layer("action_net", pw.action_net); !s) return s.error();
  if (auto s = take_layer("value_net", pw.value_head); !s) return s.error();
  if (used != by_name.size()) {
    for (const auto& [name, t] : by_name) {
      (void)t;
      const bool known = name.starts_with("mlp_extractor.policy_net.") || name.starts_with("mlp_extractor.value_net.") ||
                         name.starts_with("action_net.") || name.starts_with("value_net.");
      if (!known) {
        return core::Error{fmt::format("{}: unexpected tensor {} (only an MlpPolicy with a Discrete action space is "
                                       "supported: separate pi/vf MLPs, Linear + Tanh)",
                                       source, name)};
      }
    }
    return core::Error{fmt::format("{}: the hidden layers are not numbered 0, 2, 4, ... (expected Linear + Tanh "
                                   "pairs in each nn.Sequential)",
                                   source)};
  }
  if (auto s = pw.check(); !s) return core::Error{fmt::format("{}: {}", source, s.error().message)};
  return pw;
}

std::vector<NamedTensor> weights_to_tensors(const PolicyWeights& w) {
  std::vector<NamedTensor> out;
  for (const auto& t : w.tensors()) out.push_back(NamedTensor{t.name, t.shape, {t.data.begin(), t.data.end()}});
  return out;
}

}  // namespace daytrader::rl
