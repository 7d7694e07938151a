#include "features/feature_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "features/footprint_v1.h"

namespace daytrader::features {

namespace {

// FNV-1a, 64-bit: tiny, dependency-free and fully specified, so the same inputs give the same
// hash on every platform. Not cryptographic; it only has to catch accidental mismatches.
class Fnv1a64 {
 public:
  void add(std::string_view s) noexcept {
    for (const char c : s) add_byte(static_cast<unsigned char>(c));
    // A NUL terminator keeps ("ab", "c") and ("a", "bc") apart; names never contain NUL.
    add_byte(0);
  }
  void add(std::uint64_t n) { add(std::string_view(fmt::format("{}", n))); }
  [[nodiscard]] std::uint64_t value() const noexcept { return h_; }

 private:
  void add_byte(unsigned char b) noexcept {
    h_ ^= b;
    h_ *= kPrime;
  }

  static constexpr std::uint64_t kOffset = 14695981039346656037ULL;
  static constexpr std::uint64_t kPrime = 1099511628211ULL;
  std::uint64_t h_ = kOffset;
};

std::uint64_t compute_hash(const std::string& name, int version,
                           const std::vector<std::string>& columns,
                           const std::vector<FeatureParameter>& parameters) {
  Fnv1a64 h;
  h.add(std::string_view("daytrader.feature_set"));
  h.add(name);
  h.add(static_cast<std::uint64_t>(version));
  // Counts before each list, so a column can never be read as a parameter or vice versa.
  h.add(static_cast<std::uint64_t>(columns.size()));
  for (const auto& c : columns) h.add(c);
  h.add(static_cast<std::uint64_t>(parameters.size()));
  for (const auto& p : parameters) {
    h.add(p.key);
    h.add(p.value);
  }
  return h.value();
}

FeatureSet make_footprint_v1(const FeatureConfig& config) {
  std::vector<std::string> columns(footprint_v1::kColumnNames.begin(),
                                   footprint_v1::kColumnNames.end());
  const ProfileConfig& p = config.profile;
  std::vector<FeatureParameter> parameters = {
      {"profile.value_area_percent", fmt::format("{}", p.value_area_percent)},
      {"profile.imbalance_ratio", fmt::format("{:.6f}", p.imbalance_ratio)},
      {"profile.imbalance_min_volume", fmt::format("{}", p.imbalance_min_volume)},
      {"profile.stacked_min_run", fmt::format("{}", p.stacked_min_run)},
      {"rth_open", config.rth_open.to_string()},
  };
  return FeatureSet(std::string(footprint_v1::kName), footprint_v1::kVersion, std::move(columns),
                    std::move(parameters));
}

struct Registration {
  std::string_view name;
  FeatureSet (*make)(const FeatureConfig&);
};

// The current version of every feature set. Older versions stay reproducible from git history
// and their golden files; a model names the hash it needs, not just the name.
constexpr Registration kRegistry[] = {
    {footprint_v1::kName, &make_footprint_v1},
};

std::string label(const FeatureSet& s) {
  return fmt::format("feature set {} v{} (hash {})", s.name(), s.version(), s.hash_hex());
}

// The first concrete difference between two sets, to tell the user what to rebuild.
std::string first_difference(const FeatureSet& model, const FeatureSet& data) {
  if (model.name() != data.name()) return "the names differ";
  if (model.version() != data.version()) return "the versions differ";
  const auto& mc = model.columns();
  const auto& dc = data.columns();
  for (std::size_t i = 0; i < std::min(mc.size(), dc.size()); ++i)
    if (mc[i] != dc[i]) return fmt::format("column {} is {} vs {}", i, mc[i], dc[i]);
  if (mc.size() != dc.size())
    return fmt::format("{} columns vs {}", mc.size(), dc.size());
  const auto& mp = model.parameters();
  const auto& dp = data.parameters();
  for (const auto& p : mp) {
    const auto it = std::find_if(dp.begin(), dp.end(), [&](const auto& q) { return q.key == p.key; });
    if (it == dp.end()) return fmt::format("parameter {} is {} vs missing", p.key, p.value);
    if (it->value != p.value) return fmt::format("parameter {} is {} vs {}", p.key, p.value, it->value);
  }
  for (const auto& q : dp) {
    const auto it = std::find_if(mp.begin(), mp.end(), [&](const auto& p) { return p.key == q.key; });
    if (it == mp.end()) return fmt::format("parameter {} is missing vs {}", q.key, q.value);
  }
  return "the parameters are listed in a different order";
}

}  // namespace

FeatureSet::FeatureSet(std::string name, int version, std::vector<std::string> columns,
                       std::vector<FeatureParameter> parameters)
    : name_(std::move(name)),
      version_(version),
      columns_(std::move(columns)),
      parameters_(std::move(parameters)),
      hash_(compute_hash(name_, version_, columns_, parameters_)) {
  DT_ASSERT(version_ >= 1, "feature set versions start at 1");
}

core::Result<FeatureSet> FeatureSet::by_name(std::string_view name, const FeatureConfig& config) {
  for (const auto& r : kRegistry) {
    if (r.name != name) continue;
    if (auto status = validate(config); !status) return status.error();
    return r.make(config);
  }
  return core::Error{fmt::format("feature set \"{}\" is not registered; known: {}", name,
                                 fmt::join(registered_names(), ", "))};
}

std::vector<std::string> FeatureSet::registered_names() {
  std::vector<std::string> names;
  for (const auto& r : kRegistry) names.emplace_back(r.name);
  return names;
}

std::optional<std::size_t> FeatureSet::column_index(std::string_view column) const {
  const auto it = std::find(columns_.begin(), columns_.end(), column);
  if (it == columns_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - columns_.begin());
}

std::string FeatureSet::hash_hex() const { return fmt::format("{:#018x}", hash_); }

std::string FeatureSet::describe() const {
  std::string out = fmt::format("{}, {} columns\n", label(*this), columns_.size());
  for (const auto& p : parameters_) out += fmt::format("  {} = {}\n", p.key, p.value);
  for (std::size_t i = 0; i < columns_.size(); ++i)
    out += fmt::format("  {:>3} {}\n", i, columns_[i]);
  return out;
}

core::Status FeatureSet::check_compatible(const FeatureSet& data) const {
  if (*this == data) return {};
  return core::Error{fmt::format("model was trained on {}; data was built with {}: {}",
                                 label(*this), label(data), first_difference(*this, data))};
}

}  // namespace daytrader::features
