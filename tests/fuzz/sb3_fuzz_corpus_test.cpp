// Runs the SB3 fuzz entry over every file of tests/fuzz/corpus/sb3/ and keeps the seeds current:
//   DT_UPDATE_GOLDEN=1 build/tests/fuzz/sb3_fuzz_corpus_test    # rewrites the seeds
// Seeds (mode byte, sb3_fuzz.h): a tiny MlpPolicy (3 inputs, one hidden layer of 4, 2 actions)
// pickled the way torch.save does it, as a model zip, a policy.pth and as parts; the torch 1.13
// fixture tests/data/rl/torch113_state_dict.pth; and parts that each break one rule: the action
// space, the activation, the action count, a non-finite weight, a storage too short, shapes,
// strides, nesting, a cycle, opcodes and globals the reader does not know.

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "corpus_test_support.h"
#include "fuzz_support.h"
#include "rl/sb3_import.h"
#include "rl/torch_pickle.h"
#include "sb3_fuzz.h"

namespace daytrader::fuzz {
namespace {

using testing::Bytes;
using namespace std::string_literals;

// The opcodes torch.save emits for a state dict (pickle protocol 2).
class Pickle {
 public:
  Pickle() { out_ = "\x80\x02"; }
  Pickle& raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  Pickle& global(std::string_view module, std::string_view name) {
    out_ += 'c';
    out_ += module;
    out_ += '\n';
    out_ += name;
    out_ += '\n';
    return *this;
  }
  Pickle& str(std::string_view s) {
    out_ += 'X';
    const auto n = static_cast<std::uint32_t>(s.size());
    for (int k = 0; k < 4; ++k) out_ += static_cast<char>((n >> (8 * k)) & 0xFF);
    out_ += s;
    return *this;
  }
  Pickle& integer(std::int64_t v) {
    if (v >= 0 && v < 256) {
      out_ += 'K';
      out_ += static_cast<char>(v);
    } else if (v >= 0 && v < 65536) {
      out_ += 'M';
      out_ += static_cast<char>(v & 0xFF);
      out_ += static_cast<char>(v >> 8);
    } else {
      out_ += '\x8a';  // LONG1, 8 bytes
      out_ += '\x08';
      for (int k = 0; k < 8; ++k)
        out_ += static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * k)) & 0xFF);
    }
    return *this;
  }
  Pickle& ints(const std::vector<std::int64_t>& v) {
    out_ += '(';
    for (const auto x : v) integer(x);
    out_ += 't';
    return *this;
  }
  [[nodiscard]] std::string done() const { return out_ + "."; }

 private:
  std::string out_;
};

struct TensorSpec {
  std::string name;
  std::string storage_key;
  std::vector<std::int64_t> sizes;
  std::vector<std::int64_t> strides;
  std::int64_t storage_numel = 0;
  std::int64_t offset = 0;
  std::string storage_type = "FloatStorage";
};

// collections.OrderedDict() filled with SETITEMS of _rebuild_tensor_v2 calls, as torch.save does.
std::string state_dict_pickle(const std::vector<TensorSpec>& tensors) {
  Pickle p;
  p.global("collections", "OrderedDict").raw(")R(");
  for (const auto& t : tensors) {
    p.str(t.name).global("torch._utils", "_rebuild_tensor_v2").raw("((");
    p.str("storage").global("torch", t.storage_type).str(t.storage_key).str("cpu").integer(t.storage_numel);
    p.raw("tQ").integer(t.offset).ints(t.sizes).ints(t.strides).raw("\x89");
    p.global("collections", "OrderedDict").raw(")RtR");
  }
  p.raw("u");
  return p.done();
}

std::string floats(std::size_t n, float start) {
  std::string out(n * 4, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    const float x = start + 0.01F * static_cast<float>(i);
    std::memcpy(out.data() + 4 * i, &x, 4);
  }
  return out;
}

// A tiny MlpPolicy: obs 3 -> policy_net [4] -> 2 actions, value_net [4] -> 1. Row-major, contiguous.
std::vector<TensorSpec> mlp_tensors() {
  std::vector<TensorSpec> t;
  auto add = [&t](std::string name, std::vector<std::int64_t> sizes) {
    std::int64_t n = 1;
    for (const auto s : sizes) n *= s;
    std::vector<std::int64_t> strides(sizes.size(), 1);
    if (sizes.size() == 2) strides[0] = sizes[1];
    t.push_back({std::move(name), std::to_string(t.size()), std::move(sizes), std::move(strides), n, 0,
                 "FloatStorage"});
  };
  add("mlp_extractor.policy_net.0.weight", {4, 3});
  add("mlp_extractor.policy_net.0.bias", {4});
  add("mlp_extractor.value_net.0.weight", {4, 3});
  add("mlp_extractor.value_net.0.bias", {4});
  add("action_net.weight", {2, 4});
  add("action_net.bias", {2});
  add("value_net.weight", {1, 4});
  add("value_net.bias", {1});
  return t;
}

std::vector<std::string> storages_of(const std::vector<TensorSpec>& tensors) {
  std::vector<std::string> out;
  for (const auto& t : tensors) out.push_back(floats(static_cast<std::size_t>(t.storage_numel), -0.05F));
  return out;
}

const std::string kData =
    R"({"policy_class": {":type:": "<class 'abc.ABCMeta'>", )"
    R"("__module__": "stable_baselines3.common.policies"}, "policy_kwargs": {}, "seed": 0, )"
    R"("learning_rate": 0.0003, )"
    R"("action_space": {":type:": "<class 'gymnasium.spaces.discrete.Discrete'>", "n": "2", )"
    R"("start": "0"}, "n_envs": 1, "n_steps": 2048, "gamma": 0.99, "gae_lambda": 0.95, "ent_coef": 0.0, )"
    R"("vf_coef": 0.5, "max_grad_norm": 0.5, "batch_size": 64, "n_epochs": 10, "clip_range": 0.2, )"
    R"("clip_range_vf": null, "normalize_advantage": true, "target_kl": null})";

std::string parts(const std::string& data, const std::string& pickle,
                  const std::vector<std::string>& storages) {
  std::string out = data + std::string(kSb3PartSeparator) + pickle;
  for (const auto& s : storages) out += std::string(kSb3PartSeparator) + s;
  return out;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

Bytes with_mode(std::uint8_t mode, const std::string& rest) {
  Bytes out(rest.size() + 1, mode);
  std::copy(rest.begin(), rest.end(), out.begin() + 1);
  return out;
}

testing::Seeds seeds() {
  const auto mlp = mlp_tensors();
  const std::string pickle = state_dict_pickle(mlp);
  const auto storages = storages_of(mlp);
  const std::string valid = parts(kData, pickle, storages);
  testing::Seeds s;
  s["valid-model-zip.bin"] = with_mode(kSb3Model, sb3_model_from_parts(valid));
  s["valid-policy-pth.bin"] = with_mode(kSb3Pth, sb3_pth_from_parts(valid));
  s["valid-parts.bin"] = with_mode(kSb3Parts, valid);
  s["valid-parts-action-count-number.bin"] =
      with_mode(kSb3Parts, parts(replace(kData, "\"n\": \"2\"", "\"n\": 2"), pickle, storages));
  s["valid-torch113-state-dict.bin"] =
      with_mode(kSb3Pth, testing::to_string(testing::read_file(std::string(DAYTRADER_TEST_DATA_DIR) +
                                                               "/rl/torch113_state_dict.pth")));
  // Transposed (column-major) weights and a float64 storage are read too.
  auto transposed = mlp;
  transposed[0].strides = {1, 4};
  auto double_storage = mlp;
  double_storage[5].storage_type = "DoubleStorage";
  auto double_bytes = storages;
  double_bytes[5] = std::string(16, '\0');
  s["valid-parts-transposed.bin"] =
      with_mode(kSb3Parts, parts(kData, state_dict_pickle(transposed), storages));
  s["valid-parts-double-storage.bin"] =
      with_mode(kSb3Parts, parts(kData, state_dict_pickle(double_storage), double_bytes));

  auto broken = [&](const std::string& name, const std::vector<TensorSpec>& tensors,
                    const std::vector<std::string>& st = {}) {
    s["broken-parts-" + name + ".bin"] =
        with_mode(kSb3Parts, parts(kData, state_dict_pickle(tensors), st.empty() ? storages : st));
  };
  s["broken-parts-box-action-space.bin"] =
      with_mode(kSb3Parts, parts(replace(kData, "discrete.Discrete", "box.Box"), pickle, storages));
  s["broken-parts-relu.bin"] =
      with_mode(kSb3Parts, parts(replace(kData, "\"policy_kwargs\": {}",
                                         "\"policy_kwargs\": {\"activation_fn\": \"torch.nn.ReLU\"}"),
                                 pickle, storages));
  s["broken-parts-action-count.bin"] =
      with_mode(kSb3Parts, parts(replace(kData, "\"n\": \"2\"", "\"n\": \"3\""), pickle, storages));
  s["broken-parts-huge-n-steps.bin"] = with_mode(
      kSb3Parts, parts(replace(kData, "\"n_steps\": 2048", "\"n_steps\": 1e300"), pickle, storages));
  s["broken-parts-data-not-json.bin"] = with_mode(kSb3Parts, parts("{\"n_steps\": ", pickle, storages));
  auto nan_storage = storages;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(nan_storage[4].data() + 4, &nan, 4);
  broken("nan-weight", mlp, nan_storage);
  auto short_storage = storages;
  short_storage[0].resize(8);
  broken("storage-too-short", mlp, short_storage);
  auto shape = mlp;
  shape[1].sizes = {5};
  shape[1].storage_numel = 5;
  auto shape_storages = storages;
  shape_storages[1] = floats(5, 0.5F);
  broken("bias-shape", shape, shape_storages);
  auto negative = mlp;
  negative[0].strides = {-3, 1};
  broken("negative-stride", negative);
  auto offset = mlp;
  offset[0].offset = 1;
  broken("offset-past-storage", offset);
  auto zero_stride = mlp;
  zero_stride[0].sizes = {std::int64_t{1} << 31};
  zero_stride[0].strides = {0};
  broken("zero-stride-huge", zero_stride);
  auto overflow = mlp;
  overflow[0].sizes = {std::int64_t{1} << 40, std::int64_t{1} << 40, 0};
  overflow[0].strides = {1, 1, 1};
  broken("size-overflow", overflow);
  auto stride_overflow = mlp;
  stride_overflow[0].sizes = {4, 3};
  stride_overflow[0].strides = {std::int64_t{1} << 62, 1};
  broken("stride-overflow", stride_overflow);
  auto extra = mlp;
  extra.push_back({"log_std", "0", {1}, {1}, 1, 0, "FloatStorage"});
  broken("unexpected-tensor", extra);
  auto missing = mlp;
  missing.pop_back();
  broken("missing-tensor", missing);
  auto half = mlp;
  half[2].storage_type = "HalfStorage";
  broken("half-storage", half);

  auto raw_pickle = [&](const std::string& name, const std::string& pkl) {
    s["broken-pickle-" + name + ".bin"] = with_mode(kSb3Parts, parts(kData, pkl, storages));
  };
  raw_pickle("deep-nesting", "\x80\x02)" + std::string(70, '\x85') + ".");
  // An empty list memoised, then appended to itself: a cycle.
  raw_pickle("self-append", "\x80\x02]q\x00h\x00"s + "a.");
  raw_pickle("dict-cycle", "\x80\x02}q\x00(X\x01\x00\x00\x00kh\x00u."s);
  raw_pickle("unsupported-opcode", "\x80\x02I42\n.");
  raw_pickle("unsupported-global", Pickle().global("os", "system").str("true").raw("\x85R").done());
  raw_pickle("bad-persistent-id", Pickle().str("storage").raw("\x85Q").done());
  raw_pickle("memo-missing", "\x80\x02h\x07."s);
  raw_pickle("stack-underflow", "\x80\x02s.");
  raw_pickle("truncated", pickle.substr(0, pickle.size() / 2));
  raw_pickle("not-a-dict", "\x80\x02]q\x00."s);
  s["broken-model-not-a-zip.bin"] = with_mode(kSb3Model, "PK\x03\x04 not really");
  s["broken-pth-truncated.bin"] = with_mode(kSb3Pth, sb3_pth_from_parts(valid).substr(0, 300));
  return s;
}

TEST(Sb3FuzzCorpus, SeedFilesAreCurrent) {
  testing::expect_seed_files("sb3", seeds());
}

// The valid seeds load: the tiny policy is a real SB3 model to the importer.
TEST(Sb3FuzzCorpus, ValidSeedsLoad) {
  const auto mlp = mlp_tensors();
  const std::string valid = parts(kData, state_dict_pickle(mlp), storages_of(mlp));
  const MemFile zip(sb3_model_from_parts(valid), "model.zip");
  auto model = rl::load_sb3_zip(zip.path());
  ASSERT_TRUE(model) << model.error().message;
  EXPECT_EQ(model->weights.observation_size(), 3U);
  EXPECT_EQ(model->weights.num_actions(), 2U);
  EXPECT_EQ(model->config.n_steps, 2048);
  for (const auto& [name, bytes] : seeds()) {
    if (!name.starts_with("valid-parts")) continue;
    const MemFile m(sb3_model_from_parts(testing::to_string(Bytes(bytes.begin() + 1, bytes.end()))), "m.zip");
    auto r = rl::load_sb3_zip(m.path());
    EXPECT_TRUE(r) << name << ": " << r.error().message;
  }
}

// Each broken seed is refused by the check it was made for, with a message naming the problem.
TEST(Sb3FuzzCorpus, BrokenSeedsAreRefusedWhereIntended) {
  const std::map<std::string, std::string> expected{
      {"broken-parts-box-action-space.bin", "action_space is <class 'gymnasium.spaces.box.Box'>"},
      {"broken-parts-relu.bin", "policy_kwargs.activation_fn is torch.nn.ReLU"},
      {"broken-parts-action-count.bin", "action_space.n = 3 but action_net has 2 outputs"},
      {"broken-parts-huge-n-steps.bin", "data n_steps is 1e+300, expected a whole number"},
      {"broken-parts-data-not-json.bin", "member \"data\" is not a JSON object"},
      {"broken-parts-nan-weight.bin", "tensor action_net.weight element 1 is nan"},
      {"broken-parts-storage-too-short.bin", "storage 0 holds 2 elements, pickle says 12"},
      {"broken-parts-bias-shape.bin",
       "mlp_extractor.policy_net.0 has weight shape [4, 3] and bias shape [5]"},
      {"broken-parts-negative-stride.bin", "has a negative size or stride"},
      {"broken-parts-offset-past-storage.bin",
       "tensor mlp_extractor.policy_net.0.weight reaches past the end"},
      {"broken-parts-zero-stride-huge.bin", "shape [2147483648] with strides [0], more elements than the 12"},
      {"broken-parts-size-overflow.bin", "more elements than the 12 of storage 0"},
      {"broken-parts-stride-overflow.bin", "tensor mlp_extractor.policy_net.0.weight reaches past the end"},
      {"broken-parts-unexpected-tensor.bin", "unexpected tensor log_std"},
      {"broken-parts-missing-tensor.bin", "missing tensor value_net.bias"},
      {"broken-parts-half-storage.bin", "has storage type torch.HalfStorage"},
      {"broken-pickle-deep-nesting.bin", "containers nested more than 64 deep"},
      {"broken-pickle-self-append.bin", "does not hold a dict"},
      {"broken-pickle-dict-cycle.bin", "state dict entry k is not a tensor"},
      {"broken-pickle-unsupported-opcode.bin", "unsupported pickle opcode 0x49"},
      {"broken-pickle-unsupported-global.bin", "unsupported global os.system"},
      {"broken-pickle-bad-persistent-id.bin", "persistent id is not"},
      {"broken-pickle-memo-missing.bin", "memo key 7 not defined"},
      {"broken-pickle-stack-underflow.bin", "stack underflow"},
      {"broken-pickle-truncated.bin", "unexpected end of pickle"},
      {"broken-pickle-not-a-dict.bin", "does not hold a dict"},
  };
  for (const auto& [name, bytes] : seeds()) {
    if (!name.starts_with("broken-parts") && !name.starts_with("broken-pickle")) continue;
    const MemFile m(sb3_model_from_parts(testing::to_string(Bytes(bytes.begin() + 1, bytes.end()))), "m.zip");
    auto r = rl::load_sb3_zip(m.path());
    ASSERT_FALSE(r) << name;
    ASSERT_TRUE(expected.contains(name)) << name << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(m.path()), std::string::npos) << name << ": " << r.error().message;
    EXPECT_NE(r.error().message.find(expected.at(name)), std::string::npos)
        << name << ": " << r.error().message;
  }
}

TEST(Sb3FuzzCorpus, EveryCorpusFileRunsThroughTheFuzzEntry) {
  testing::expect_corpus_runs("sb3", &sb3_fuzz_one_input, seeds().size());
}

}  // namespace
}  // namespace daytrader::fuzz
