// Runs the dataset fuzz entry over every file of tests/fuzz/corpus/dataset/ and keeps the seeds
// equal to what dataset::write_dataset produces:
//   DT_UPDATE_GOLDEN=1 build/tests/fuzz/dataset_fuzz_corpus_test    # rewrites the seeds
// Each seed is a mode byte (dataset_fuzz.h) and a file: datasets of a few synthetic bars, and
// broken ones, resealed (CRC recomputed) so that the structural checks behind the checksum see
// them: other versions, a section outside the file, sessions that overlap or go back in time,
// a bar with high < low or levels outside the file, and meta that is not what it should be.

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "corpus_test_support.h"
#include "dataset/dataset.h"
#include "dataset_fuzz.h"
#include "seed_bars.h"

namespace daytrader::fuzz {
namespace {

namespace fs = std::filesystem;
using testing::Bytes;

constexpr std::uint8_t kAsIs = 0;
constexpr std::uint8_t kFix = kDatasetFixSize | kDatasetReseal;

// Header offsets (dataset.cpp).
constexpr std::size_t kVersion = 8, kMetaSize = 24, kSessionsOff = 32, kNSessions = 40, kBarsOff = 48;
constexpr std::size_t kFeatureHash = 96;
// BarRecord and SessionRecord offsets (dataset.h).
constexpr std::size_t kBarHigh = 32, kBarFirstLevel = 88, kSessionFirstBar = 8;

template <typename T>
T peek(const Bytes& b, std::size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}
template <typename T>
void poke(Bytes& b, std::size_t at, T v) {
  std::memcpy(b.data() + at, &v, sizeof v);
}

Bytes write(const std::vector<bars::FootprintBar>& bars) {
  const auto set = features::FeatureSet::by_name("footprint").value();
  std::vector<float> features(bars.size() * set.size());
  for (std::size_t i = 0; i < features.size(); ++i) features[i] = static_cast<float>(i) * 0.5F - 3.0F;
  dataset::DatasetMeta meta;
  meta.source = "seed.scid";
  const fs::path path = fs::temp_directory_path() / "dt_dataset_fuzz_seed.dtds";
  const auto st = dataset::write_dataset(path.string(), meta, set, bars, features);
  EXPECT_TRUE(st) << st.error().message;
  Bytes out = testing::read_file(path);
  fs::remove(path);
  return out;
}

Bytes with_mode(std::uint8_t mode, Bytes file) {
  file.insert(file.begin(), mode);
  return file;
}

// Replaces `from` by `to` in the meta JSON, using the padding after it when `to` is longer.
Bytes edit_meta(Bytes file, const std::string& from, const std::string& to) {
  const std::size_t meta_off = 128;
  const auto meta_size = peek<std::uint64_t>(file, kMetaSize);
  std::string meta(file.begin() + meta_off, file.begin() + static_cast<std::ptrdiff_t>(meta_off + meta_size));
  const auto at = meta.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return file;
  meta.replace(at, from.size(), to);
  EXPECT_LE(meta_off + meta.size(), peek<std::uint64_t>(file, kSessionsOff)) << "no room for " << to;
  std::memcpy(file.data() + meta_off, meta.data(), meta.size());
  poke<std::uint64_t>(file, kMetaSize, meta.size());
  return file;
}

// Two bars on each side of a session boundary.
std::vector<bars::FootprintBar> boundary_bars() {
  const auto all = testing::generated_bars(2, 20);
  for (std::size_t i = 1; i + 2 < all.size(); ++i)
    if (all[i + 1].trade_date != all[i].trade_date) return {all[i - 1], all[i], all[i + 1], all[i + 2]};
  ADD_FAILURE() << "no session boundary";
  return {};
}

testing::Seeds seeds() {
  const Bytes file = write(boundary_bars());
  if (file.size() < 1024) {
    ADD_FAILURE() << "the seed dataset has " << file.size() << " bytes";
    return {};
  }
  const auto bars_off = peek<std::uint64_t>(file, kBarsOff);
  const auto sessions_off = peek<std::uint64_t>(file, kSessionsOff);
  EXPECT_EQ(peek<std::uint64_t>(file, kNSessions), 2U);
  testing::Seeds s;
  s["valid-two-sessions.bin"] = with_mode(kAsIs, file);
  s["valid-two-sessions-resealed.bin"] = with_mode(kFix, file);
  s["valid-no-bars.bin"] = with_mode(kAsIs, write({}));

  Bytes cut(file.begin(), file.end() - 100);
  s["broken-truncated.bin"] = with_mode(kAsIs, cut);
  s["broken-truncated-resealed.bin"] = with_mode(kFix, cut);
  Bytes flipped = file;
  flipped.at(bars_off + 8) ^= 0x40;  // a bar's close time
  s["broken-checksum.bin"] = with_mode(kAsIs, flipped);
  Bytes v1 = file;
  poke<std::uint32_t>(v1, kVersion, 1);
  s["broken-version-1.bin"] = with_mode(kFix, v1);
  Bytes v3 = file;
  poke<std::uint32_t>(v3, kVersion, 3);
  s["broken-version-3.bin"] = with_mode(kFix, v3);
  Bytes outside = file;
  poke<std::uint64_t>(outside, kBarsOff, std::uint64_t{1} << 40);
  s["broken-section-outside.bin"] = with_mode(kFix, outside);
  Bytes overlap = file;
  poke<std::uint64_t>(overlap, sessions_off + 16 + kSessionFirstBar, 1);
  s["broken-sessions-overlap.bin"] = with_mode(kFix, overlap);
  Bytes backwards = file;
  poke<std::int32_t>(backwards, sessions_off + 16, peek<std::int32_t>(file, sessions_off) - 1);
  s["broken-sessions-backwards.bin"] = with_mode(kFix, backwards);
  Bytes high = file;
  poke<std::int64_t>(high, bars_off + kBarHigh, -5);
  s["broken-high-below-low.bin"] = with_mode(kFix, high);
  Bytes levels = file;
  poke<std::uint64_t>(levels, bars_off + 168 + kBarFirstLevel, std::uint64_t{1} << 62);
  s["broken-levels-outside.bin"] = with_mode(kFix, levels);
  Bytes hash = file;
  poke<std::uint64_t>(hash, kFeatureHash, 12345);
  s["broken-feature-hash.bin"] = with_mode(kFix, hash);
  s["broken-meta-tick-size.bin"] =
      with_mode(kFix, edit_meta(file, "\"tick_size\": 0.25", "\"tick_size\": -0.25"));
  s["broken-meta-bar.bin"] = with_mode(kFix, edit_meta(file, "\"bar\": \"1m\"", "\"bar\": \"7q\""));
  s["broken-meta-version-huge.bin"] =
      with_mode(kFix, edit_meta(file, "\"version\": 1", "\"version\": 1e300"));
  s["broken-meta-tick-value-huge.bin"] =
      with_mode(kFix, edit_meta(file, "\"tick_value_cents\": 1250", "\"tick_value_cents\": 1e300"));
  s["broken-meta-not-json.bin"] = with_mode(kFix, edit_meta(file, "{", "["));
  s["broken-short.bin"] = with_mode(kFix, Bytes(file.begin(), file.begin() + 60));
  return s;
}

TEST(DatasetFuzzCorpus, SeedFilesAreWhatTheWriterProduces) {
  testing::expect_seed_files("dataset", seeds());
}

// Each seed reaches the check it was made for.
TEST(DatasetFuzzCorpus, SeedsOpenOrFailWhereIntended) {
  const std::map<std::string, std::string> expected{
      {"broken-truncated.bin", "header says"},
      {"broken-truncated-resealed.bin", "section table points outside the file"},
      {"broken-checksum.bin", "checksum mismatch"},
      {"broken-version-1.bin", "format version is 1"},
      {"broken-version-3.bin", "format version is 3"},
      {"broken-section-outside.bin", "section table points outside the file"},
      {"broken-sessions-overlap.bin", "session 1: bars 1+2"},
      {"broken-sessions-backwards.bin", "session 1: trade date"},
      {"broken-high-below-low.bin", "bar 0: open"},
      {"broken-levels-outside.bin", "bar 1: levels"},
      {"broken-feature-hash.bin", "does not match the header's hash"},
      {"broken-meta-tick-size.bin", "instrument.tick_size is -0.25"},
      {"broken-meta-bar.bin", "meta: "},
      {"broken-meta-version-huge.bin", "meta: feature_set.version is 1e+300"},
      {"broken-meta-tick-value-huge.bin", "meta: instrument.tick_value_cents is 1e+300"},
      {"broken-meta-not-json.bin", "meta: "},
      {"broken-short.bin", "shorter than the 128-byte dataset header"},
  };
  for (const auto& [name, bytes] : seeds()) {
    const auto file = dataset_fuzz_file(bytes.data(), bytes.size());
    const fs::path path = fs::temp_directory_path() / ("dt_dataset_fuzz_" + name);
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
    auto d = dataset::Dataset::open(path.string());
    fs::remove(path);
    if (name.starts_with("valid-")) {
      EXPECT_TRUE(d) << name << ": " << d.error().message;
      continue;
    }
    ASSERT_FALSE(d) << name;
    ASSERT_TRUE(expected.contains(name)) << name << ": " << d.error().message;
    EXPECT_NE(d.error().message.find(expected.at(name)), std::string::npos)
        << name << ": " << d.error().message;
  }
}

TEST(DatasetFuzzCorpus, EveryCorpusFileRunsThroughTheFuzzEntry) {
  testing::expect_corpus_runs("dataset", &dataset_fuzz_one_input, seeds().size());
}

}  // namespace
}  // namespace daytrader::fuzz
