#include "model/model_bundle.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>

#include "env/observation.h"
#include "features/feature_set.h"
#include "rl/checkpoint.h"

namespace daytrader::model {

namespace {

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw core::DaytraderError(fmt::format(f, std::forward<Args>(args)...));
}

// The FeatureConfig whose feature set is `fs`: its recorded parameters parsed back, then the
// rebuilt set's hash compared with the recorded one.
features::FeatureConfig feature_config_of(const std::filesystem::path& dir, const features::FeatureSet& fs) {
  features::FeatureConfig c;
  c.feature_set = fs.name();
  const auto bad = [&](const features::FeatureParameter& p) {
    fail("{}: scaler.json: feature parameter {} = \"{}\" cannot be read back", dir.string(), p.key, p.value);
  };
  auto as_u32 = [&](const features::FeatureParameter& p, std::uint32_t& out) {
    const auto* b = p.value.data();
    const auto [ptr, ec] = std::from_chars(b, b + p.value.size(), out);
    if (ec != std::errc() || ptr != b + p.value.size()) bad(p);
  };
  for (const auto& p : fs.parameters()) {
    if (p.key == "profile.value_area_percent") as_u32(p, c.profile.value_area_percent);
    else if (p.key == "profile.imbalance_min_volume") as_u32(p, c.profile.imbalance_min_volume);
    else if (p.key == "profile.stacked_min_run") as_u32(p, c.profile.stacked_min_run);
    else if (p.key == "profile.imbalance_ratio") {
      try {
        std::size_t used = 0;
        c.profile.imbalance_ratio = std::stod(p.value, &used);
        if (used != p.value.size()) bad(p);
      } catch (const std::exception&) {
        bad(p);
      }
    } else if (p.key == "rth_open") {
      const auto t = core::LocalTimeOfDay::parse(p.value);
      if (!t) bad(p);
      c.rth_open = *t;
    } else {
      fail("{}: scaler.json: unknown feature parameter {} = \"{}\"", dir.string(), p.key, p.value);
    }
  }
  auto rebuilt = features::FeatureSet::by_name(fs.name(), c);
  if (!rebuilt) fail("{}: scaler.json: {}", dir.string(), rebuilt.error().message);
  if (rebuilt->hash() != fs.hash())
    fail("{}: scaler.json: feature set {} v{} hash {} does not match this build's {} v{} hash {} for the same "
         "parameters",
         dir.string(), fs.name(), fs.version(), fs.hash_hex(), rebuilt->name(), rebuilt->version(), rebuilt->hash_hex());
  return c;
}

}  // namespace

nlohmann::json instrument_json(const core::Instrument& i) {
  return {{"root", i.root},           {"tick_size", i.tick_size}, {"tick_value_cents", i.tick_value_cents},
          {"time_zone", i.time_zone}, {"symbol", i.symbol}};  // symbol: the contract, or ""
}

core::Status ModelBundle::check_feature_set(const features::FeatureSet& data) const {
  if (auto st = scaler.check_feature_set(data); !st)
    return core::Error{fmt::format("{}: {}", dir.string(), st.error().message)};
  return {};
}

core::Status ModelBundle::check_bar_spec(const bars::BarSpec& data) const {
  if (data != bar)
    return core::Error{fmt::format("{}: the model was trained on {} bars; this data has {} bars", dir.string(),
                                   bar.to_string(), data.to_string())};
  return {};
}

core::Status ModelBundle::check_instrument(const core::Instrument& data) const {
  if (data.root != instrument.root || data.tick_size != instrument.tick_size ||
      data.tick_value_cents != instrument.tick_value_cents)
    return core::Error{fmt::format(
        "{}: the model was trained on {} (tick {} = ${:.2f}); this data is {} (tick {} = ${:.2f})", dir.string(),
        instrument.root, instrument.tick_size, static_cast<double>(instrument.tick_value_cents) / 100.0, data.root,
        data.tick_size, static_cast<double>(data.tick_value_cents) / 100.0)};
  return {};
}

core::Status ModelBundle::check_data(const features::FeatureSet& feature_set, const bars::BarSpec& data_bar,
                                     const core::Instrument& data_instrument) const {
  // The instrument first: another instrument's data may differ in every other respect as well.
  if (auto st = check_instrument(data_instrument); !st) return st;
  if (auto st = check_feature_set(feature_set); !st) return st;
  return check_bar_spec(data_bar);
}

rl::Policy ModelBundle::load_policy(std::uint64_t seed) const {
  rl::Policy policy = rl::load_policy(dir, seed);
  const std::size_t expected = scaler.size() + env::kAccountValues;
  if (policy.observation_size() != expected)
    fail("{}: the policy takes {} inputs; its feature set {} has {} columns + {} account values = {}", dir.string(),
         policy.observation_size(), scaler.feature_set().name(), scaler.size(), env::kAccountValues, expected);
  return policy;
}

ModelBundle load_model_bundle(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir)) fail("{}: not a model folder (train writes runs/NAME/fold_K)", dir.string());
  if (dir.filename().string().ends_with(".partial") || (dir.filename().empty() && dir.parent_path().filename().string().ends_with(".partial")))
    fail("{}: an unfinished training fold (train renames fold_K.partial to fold_K once it is complete)", dir.string());
  for (const char* f : {kScalerFile, kRunConfigFile, kMetadataFile, "policy.bin"})
    if (!std::filesystem::exists(dir / f)) fail("{}: missing {}; is this a folder written by `daytrader train`?", dir.string(), f);
  auto scaler = features::Scaler::load((dir / kScalerFile).string());
  if (!scaler) throw core::DaytraderError(scaler.error().message);
  auto config = config::load_run_config((dir / kRunConfigFile).string(), {});
  if (!config) throw core::DaytraderError(config.error().message);
  nlohmann::json meta;
  try {
    std::ifstream in(dir / kMetadataFile);
    meta = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    fail("{}: {}", (dir / kMetadataFile).string(), e.what());
  }
  ModelBundle b{dir, std::move(config).value(), std::move(scaler).value(), std::move(meta), {}, {}, {}};
  try {
    const std::string bar = b.metadata.at("dataset").at("bar").get<std::string>();
    auto spec = bars::BarSpec::parse(bar);
    if (!spec) fail("{}: metadata.json: dataset.bar \"{}\": {}", dir.string(), bar, spec.error().message);
    b.bar = *spec;
    if (b.metadata.contains("instrument")) {
      const auto& i = b.metadata["instrument"];
      b.instrument.root = i.at("root").get<std::string>();
      b.instrument.tick_size = i.at("tick_size").get<double>();
      b.instrument.tick_value_cents = i.at("tick_value_cents").get<std::int64_t>();
      b.instrument.time_zone = i.value("time_zone", b.instrument.time_zone);
      b.instrument.symbol = i.value("symbol", std::string());
      if (!(b.instrument.tick_size > 0) || b.instrument.tick_value_cents <= 0)
        fail("{}: metadata.json: instrument tick_size {} / tick_value_cents {}; expected > 0", dir.string(),
             b.instrument.tick_size, b.instrument.tick_value_cents);
    }
  } catch (const nlohmann::json::exception& e) {
    fail("{}: metadata.json: {}", dir.string(), e.what());
  }
  b.features = feature_config_of(dir, b.scaler.feature_set());
  return b;
}

}  // namespace daytrader::model
