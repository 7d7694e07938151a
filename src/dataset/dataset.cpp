#include "dataset/dataset.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace daytrader::dataset {

static_assert(std::endian::native == std::endian::little, "datasets are mapped in place");

namespace {

constexpr char kMagic[8] = {'D', 'T', 'D', 'A', 'T', 'A', '\r', '\n'};
constexpr std::size_t kHeaderSize = 128;
constexpr std::size_t kAlign = 64;

struct Header {
  char magic[8];
  std::uint32_t format_version;
  std::uint32_t header_size;
  std::uint64_t meta_off, meta_size;
  std::uint64_t sessions_off, n_sessions;
  std::uint64_t bars_off, n_bars;
  std::uint64_t levels_off, n_levels;
  std::uint64_t features_off;
  std::uint32_t n_features;
  std::uint32_t crc32;
  std::uint64_t feature_hash;
  std::uint64_t file_size;
  std::uint8_t reserved[16];
};
static_assert(sizeof(Header) == kHeaderSize);

std::size_t align_up(std::size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

std::uint32_t crc_of(const unsigned char* p, std::size_t n, uLong crc = ::crc32(0L, Z_NULL, 0)) {
  while (n > 0) {
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    crc = ::crc32(crc, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

// CRC-32 of the whole file: the header with its crc32 field zeroed, then the bytes after it.
std::uint32_t file_crc(const Header& header, const unsigned char* body, std::size_t body_size) {
  Header h = header;
  h.crc32 = 0;
  unsigned char head[kHeaderSize];
  std::memcpy(head, &h, kHeaderSize);
  return crc_of(body, body_size, crc_of(head, kHeaderSize));
}

nlohmann::json meta_json(const DatasetMeta& meta, const features::FeatureSet& fs) {
  nlohmann::json params = nlohmann::json::array();
  for (const auto& p : fs.parameters()) params.push_back({{"key", p.key}, {"value", p.value}});
  return {
      {"instrument",
       {{"root", meta.instrument.root},
        {"tick_size", meta.instrument.tick_size},
        {"tick_value_cents", meta.instrument.tick_value_cents},
        {"time_zone", meta.instrument.time_zone},
        {"symbol", meta.instrument.symbol}}},  // the contract, "" when only the root is known
      {"bar", meta.bar.to_string()},
      {"source", meta.source},
      {"feature_set",
       {{"name", fs.name()},
        {"version", fs.version()},
        {"hash", fs.hash_hex()},
        {"columns", fs.columns()},
        {"parameters", params}}},
  };
}

// A JSON integer that fits T. nlohmann's get<T>() would convert a float such as 1e300, or wrap a
// large integer, without a word (converting an out-of-range double is undefined).
template <typename T>
bool json_integer(const nlohmann::json& j, T& out) {
  if (j.is_number_unsigned()) {
    const auto v = j.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return false;
    out = static_cast<T>(v);
    return true;
  }
  if (!j.is_number_integer()) return false;
  const auto v = j.get<std::int64_t>();
  if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return false;
  out = static_cast<T>(v);
  return true;
}

BarRecord to_record(const bars::FootprintBar& b, std::uint64_t first_level) {
  BarRecord r;
  r.open_time_ns = core::to_unix_ns(b.open_time);
  r.close_time_ns = core::to_unix_ns(b.close_time);
  r.trade_date = b.trade_date;
  r.index_in_session = b.index_in_session;
  r.open = b.open.count();
  r.high = b.high.count();
  r.low = b.low.count();
  r.close = b.close.count();
  r.volume = b.volume;
  r.bid_volume = b.bid_volume;
  r.ask_volume = b.ask_volume;
  r.num_trades = b.num_trades;
  r.level_count = static_cast<std::uint32_t>(b.levels.size());
  r.first_level = first_level;
  const auto& s = b.studies;
  r.delta = s.delta;
  r.cum_delta = s.cum_delta;
  r.session_open = s.session_open.count();
  r.session_high = s.session_high.count();
  r.session_low = s.session_low.count();
  r.prev_high = s.prev_high.count();
  r.prev_low = s.prev_low.count();
  r.has_prev_session = s.has_prev_session ? 1 : 0;
  r.vwap = s.vwap;
  return r;
}

}  // namespace

core::Status write_dataset(const std::string& path, const DatasetMeta& meta,
                           const features::FeatureSet& feature_set,
                           const std::vector<bars::FootprintBar>& bars, std::span<const float> features) {
  if (features.size() != bars.size() * feature_set.size())
    return core::Error{fmt::format("{}: {} feature values for {} bars of {} features", path,
                                   features.size(), bars.size(), feature_set.size())};
  std::vector<SessionRecord> sessions;
  std::vector<BarRecord> bar_records;
  std::vector<LevelRecord> levels;
  bar_records.reserve(bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    if (sessions.empty() || sessions.back().trade_date != b.trade_date)
      sessions.push_back(SessionRecord{b.trade_date, 0, i});
    ++sessions.back().bar_count;
    bar_records.push_back(to_record(b, levels.size()));
    for (const auto& l : b.levels)
      levels.push_back(LevelRecord{l.price.count(), l.bid_volume, l.ask_volume, l.volume, l.trades});
  }
  const std::string meta_text = meta_json(meta, feature_set).dump(2);

  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kFormatVersion;
  h.header_size = kHeaderSize;
  std::size_t off = kHeaderSize;
  h.meta_off = off;
  h.meta_size = meta_text.size();
  off = align_up(off + meta_text.size());
  h.sessions_off = off;
  h.n_sessions = sessions.size();
  off = align_up(off + sessions.size() * sizeof(SessionRecord));
  h.bars_off = off;
  h.n_bars = bar_records.size();
  off = align_up(off + bar_records.size() * sizeof(BarRecord));
  h.levels_off = off;
  h.n_levels = levels.size();
  off = align_up(off + levels.size() * sizeof(LevelRecord));
  h.features_off = off;
  h.n_features = static_cast<std::uint32_t>(feature_set.size());
  off += features.size() * sizeof(float);
  h.file_size = off;
  h.feature_hash = feature_set.hash();

  std::vector<unsigned char> buf(off, 0);
  auto put = [&](std::uint64_t at, const void* p, std::size_t n) {
    if (n > 0) std::memcpy(buf.data() + at, p, n);
  };
  put(h.meta_off, meta_text.data(), meta_text.size());
  put(h.sessions_off, sessions.data(), sessions.size() * sizeof(SessionRecord));
  put(h.bars_off, bar_records.data(), bar_records.size() * sizeof(BarRecord));
  put(h.levels_off, levels.data(), levels.size() * sizeof(LevelRecord));
  put(h.features_off, features.data(), features.size() * sizeof(float));
  h.crc32 = file_crc(h, buf.data() + kHeaderSize, buf.size() - kHeaderSize);
  put(0, &h, sizeof h);

  // Write to a temporary name and rename, so a reader never sees a half-written dataset.
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return core::Error{fmt::format("{}: cannot create: {}", tmp, std::strerror(errno))};
  const bool ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
  if (std::fclose(f) != 0 || !ok) {
    std::remove(tmp.c_str());
    return core::Error{fmt::format("{}: cannot write: {}", tmp, std::strerror(errno))};
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return core::Error{fmt::format("{}: cannot rename to {}: {}", tmp, path, std::strerror(errno))};
  return {};
}

core::Result<Dataset> Dataset::open(const std::string& path) {
  auto fail = [&](const std::string& what) { return core::Error{fmt::format("{}: {}", path, what)}; };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return fail("cannot stat");
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < kHeaderSize) {
    ::close(fd);
    return fail(fmt::format("{} bytes, shorter than the {}-byte dataset header: not a daytrader dataset",
                            size, kHeaderSize));
  }
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return fail(fmt::format("cannot map: {}", std::strerror(errno)));
  // Unmaps on every early return below.
  struct Guard {
    void* p; std::size_t n;
    ~Guard() { if (p != nullptr) ::munmap(p, n); }
  } guard{map, size};

  const auto* bytes = static_cast<const unsigned char*>(map);
  Header h;
  std::memcpy(&h, bytes, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0)
    return fail("offset 0: magic is not \"DTDATA\": not a daytrader dataset (build one with `daytrader bars`)");
  if (h.format_version == 1)
    return fail(fmt::format("offset 8: dataset format version is 1, whose checksum does not cover the header; "
                            "this build reads version {}: rebuild the dataset with `daytrader bars`",
                            kFormatVersion));
  if (h.format_version != kFormatVersion)
    return fail(fmt::format("offset 8: dataset format version is {}, this build reads version {}: rebuild the "
                            "dataset with `daytrader bars`", h.format_version, kFormatVersion));
  if (h.header_size != kHeaderSize || h.file_size != size)
    return fail(fmt::format("header says {} bytes, the file has {}: truncated or corrupt", h.file_size, size));
  auto section_ok = [&](std::uint64_t off, std::uint64_t count, std::uint64_t elem) {
    return off >= kHeaderSize && off % (elem == 1 ? 1 : 8) == 0 && off <= size &&
           count <= (size - off) / elem;
  };
  if (!section_ok(h.meta_off, h.meta_size, 1) || !section_ok(h.sessions_off, h.n_sessions, sizeof(SessionRecord)) ||
      !section_ok(h.bars_off, h.n_bars, sizeof(BarRecord)) ||
      !section_ok(h.levels_off, h.n_levels, sizeof(LevelRecord)) || h.n_features == 0 ||
      h.n_bars > (size - std::min<std::uint64_t>(h.features_off, size)) / (sizeof(float) * h.n_features) ||
      !section_ok(h.features_off, h.n_bars * h.n_features, sizeof(float)))
    return fail("section table points outside the file: corrupt");
  if (file_crc(h, bytes + kHeaderSize, size - kHeaderSize) != h.crc32)
    return fail("checksum mismatch: the file is corrupt or was modified");

  // Meta.
  features::FeatureSet fs("unset", 1, {}, {});
  DatasetMeta meta;
  try {
    const auto j = nlohmann::json::parse(std::string_view(reinterpret_cast<const char*>(bytes + h.meta_off), h.meta_size));
    const auto& inst = j.at("instrument");
    meta.instrument.root = inst.at("root").get<std::string>();
    meta.instrument.tick_size = inst.at("tick_size").get<double>();
    const auto& cents = inst.at("tick_value_cents");
    if (!json_integer(cents, meta.instrument.tick_value_cents))
      return fail(fmt::format("meta: instrument.tick_value_cents is {}, expected a positive whole number",
                              cents.dump()));
    meta.instrument.time_zone = inst.at("time_zone").get<std::string>();
    // The contract, recorded since instruments other than ES; older datasets have none.
    meta.instrument.symbol = inst.value("symbol", std::string());
    if (!(meta.instrument.tick_size > 0) || !std::isfinite(meta.instrument.tick_size))
      return fail(fmt::format("meta: instrument.tick_size is {}, expected a positive number",
                              meta.instrument.tick_size));
    if (meta.instrument.tick_value_cents <= 0)
      return fail(fmt::format("meta: instrument.tick_value_cents is {}, expected a positive number",
                              meta.instrument.tick_value_cents));
    auto spec = bars::BarSpec::parse(j.at("bar").get<std::string>());
    if (!spec) return fail("meta: " + spec.error().message);
    meta.bar = *spec;
    meta.source = j.at("source").get<std::string>();
    const auto& jf = j.at("feature_set");
    int version = 0;
    if (!json_integer(jf.at("version"), version) || version < 1)
      return fail(fmt::format("meta: feature_set.version is {}, expected a whole number from 1",
                              jf.at("version").dump()));
    std::vector<features::FeatureParameter> params;
    for (const auto& p : jf.at("parameters"))
      params.push_back({p.at("key").get<std::string>(), p.at("value").get<std::string>()});
    fs = features::FeatureSet(jf.at("name").get<std::string>(), version,
                              jf.at("columns").get<std::vector<std::string>>(), std::move(params));
  } catch (const std::exception& e) {
    return fail(fmt::format("meta: {}", e.what()));
  }
  if (fs.hash() != h.feature_hash || fs.size() != h.n_features)
    return fail(fmt::format("feature set {} v{} in the meta does not match the header's hash 0x{:016x}: corrupt",
                            fs.name(), fs.version(), h.feature_hash));

  Dataset d(path, std::move(fs));
  d.meta_ = std::move(meta);
  d.sessions_ = {reinterpret_cast<const SessionRecord*>(bytes + h.sessions_off), h.n_sessions};
  d.bars_ = {reinterpret_cast<const BarRecord*>(bytes + h.bars_off), h.n_bars};
  d.levels_ = {reinterpret_cast<const LevelRecord*>(bytes + h.levels_off), h.n_levels};
  d.features_ = {reinterpret_cast<const float*>(bytes + h.features_off), h.n_bars * h.n_features};
  // Cross-references must stay inside the file so that accessors never read out of bounds.
  for (std::size_t i = 0; i < d.bars_.size(); ++i) {
    const BarRecord& b = d.bars_[i];
    if (b.first_level > h.n_levels || b.level_count > h.n_levels - b.first_level)
      return fail(fmt::format("bar {}: levels {}+{} are outside the {} levels: corrupt", i, b.first_level,
                              b.level_count, h.n_levels));
  }
  // Sessions tile the bars in order: each starts where the previous one ended, is not empty, and
  // has a later trade date; together they cover every bar.
  std::uint64_t next_bar = 0;
  for (std::size_t i = 0; i < d.sessions_.size(); ++i) {
    const SessionRecord& s = d.sessions_[i];
    if (s.first_bar > h.n_bars || s.bar_count > h.n_bars - s.first_bar)
      return fail(fmt::format("session {}: bars {}+{} are outside the {} bars: corrupt", i, s.first_bar,
                              s.bar_count, h.n_bars));
    if (s.first_bar != next_bar || s.bar_count == 0)
      return fail(fmt::format("session {}: bars {}+{}, expected a non-empty session starting at bar {} "
                              "(sessions overlap or leave a gap): corrupt", i, s.first_bar, s.bar_count,
                              next_bar));
    if (i > 0 && s.trade_date <= d.sessions_[i - 1].trade_date)
      return fail(fmt::format("session {}: trade date {} is not after the previous session's {}: corrupt", i,
                              s.trade_date, d.sessions_[i - 1].trade_date));
    for (std::uint64_t b = s.first_bar; b < s.first_bar + s.bar_count; ++b)
      if (d.bars_[b].trade_date != s.trade_date)
        return fail(fmt::format("bar {}: trade date {} is not its session {}'s {}: corrupt", b,
                                d.bars_[b].trade_date, i, s.trade_date));
    next_bar = s.first_bar + s.bar_count;
  }
  if (next_bar != h.n_bars)
    return fail(fmt::format("sessions cover {} of the {} bars: corrupt", next_bar, h.n_bars));
  for (std::size_t i = 0; i < d.bars_.size(); ++i) {
    const BarRecord& b = d.bars_[i];
    // (Open and close against the range are checked with the environment's data, env::EnvData.)
    if (b.high < b.low)
      return fail(fmt::format("bar {}: open {} high {} low {} close {} (ticks): high is below low: corrupt", i,
                              b.open, b.high, b.low, b.close));
  }
  d.map_ = map;
  d.map_size_ = size;
  guard.p = nullptr;
  return d;
}

Dataset::Dataset(Dataset&& o) noexcept : feature_set_(o.feature_set_) { *this = std::move(o); }

Dataset& Dataset::operator=(Dataset&& o) noexcept {
  if (this != &o) {
    unmap();
    path_ = std::move(o.path_);
    feature_set_ = o.feature_set_;
    meta_ = std::move(o.meta_);
    map_ = std::exchange(o.map_, nullptr);
    map_size_ = std::exchange(o.map_size_, 0);
    sessions_ = std::exchange(o.sessions_, {});
    bars_ = std::exchange(o.bars_, {});
    levels_ = std::exchange(o.levels_, {});
    features_ = std::exchange(o.features_, {});
  }
  return *this;
}

Dataset::~Dataset() { unmap(); }

void Dataset::unmap() noexcept {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  map_ = nullptr;
}

core::Status Dataset::check_feature_set(const features::FeatureSet& expected) const {
  if (auto st = expected.check_compatible(feature_set_); !st)
    return core::Error{fmt::format("{}: {}", path_, st.error().message)};
  return {};
}

bars::FootprintBar Dataset::footprint_bar(std::size_t i) const {
  const BarRecord& r = bars_[i];
  bars::FootprintBar b;
  b.open_time = core::from_unix_ns(r.open_time_ns);
  b.close_time = core::from_unix_ns(r.close_time_ns);
  b.trade_date = r.trade_date;
  b.index_in_session = r.index_in_session;
  b.open = core::Ticks(r.open);
  b.high = core::Ticks(r.high);
  b.low = core::Ticks(r.low);
  b.close = core::Ticks(r.close);
  b.volume = r.volume;
  b.bid_volume = r.bid_volume;
  b.ask_volume = r.ask_volume;
  b.num_trades = r.num_trades;
  auto& s = b.studies;
  s.delta = r.delta;
  s.cum_delta = r.cum_delta;
  s.session_open = core::Ticks(r.session_open);
  s.session_high = core::Ticks(r.session_high);
  s.session_low = core::Ticks(r.session_low);
  s.has_prev_session = r.has_prev_session != 0;
  s.prev_high = core::Ticks(r.prev_high);
  s.prev_low = core::Ticks(r.prev_low);
  s.vwap = r.vwap;
  const auto lv = levels(i);
  b.levels.reserve(lv.size());
  for (const LevelRecord& l : lv)
    b.levels.push_back({core::Ticks(l.price_ticks), l.bid_volume, l.ask_volume, l.volume, l.trades});
  return b;
}

std::vector<bars::FootprintBar> Dataset::footprint_bars() const {
  std::vector<bars::FootprintBar> out;
  out.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) out.push_back(footprint_bar(i));
  return out;
}

}  // namespace daytrader::dataset
