#include "dataset/dataset.h"

#include <gtest/gtest.h>

#include <date/date.h>
#include <zlib.h>

#include <cstddef>
#include <cstring>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <random>

#include "bars/footprint_builder.h"

namespace daytrader::dataset {
namespace {

namespace fs = std::filesystem;
using namespace date::literals;
using namespace std::chrono_literals;

features::FeatureSet footprint_set() { return features::FeatureSet::by_name("footprint").value(); }

class DatasetFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dt_dataset_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
    path_ = (dir_ / "d.dtds").string();
    // Two sessions of random 1-minute bars.
    bars::FootprintBuilder b(bars::BarSpec{bars::BarKind::kTime, 60});
    std::mt19937_64 rng(11);
    auto t = core::SessionCalendar::cme_globex().to_utc(date::local_days(2024_y / 3 / 7), 15h);
    std::int64_t price = 20000;
    for (int i = 0; i < 20000; ++i) {
      t += std::chrono::milliseconds(rng() % 6000);
      price += static_cast<std::int64_t>(rng() % 3) - 1;
      const auto size = static_cast<std::uint32_t>(1 + rng() % 4);
      const bool ask = rng() % 2;
      if (auto bar = b.on_trade({t, core::Ticks(price), size, ask ? 0 : size, ask ? size : 0, 1}))
        bars_.push_back(std::move(*bar));
    }
    if (auto bar = b.flush()) bars_.push_back(std::move(*bar));
    const auto set = footprint_set();
    features_.resize(bars_.size() * set.size());
    for (std::size_t i = 0; i < features_.size(); ++i) features_[i] = static_cast<float>(i) * 0.5F;
    meta_.source = "unit-test";
  }
  void TearDown() override { fs::remove_all(dir_); }

  void corrupt(std::size_t offset, const void* bytes, std::size_t n) const {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(n));
  }

  // Overwrites bytes, then recomputes the whole-file CRC (the header's crc32 field at offset 92 is
  // zeroed for the computation), so only the structural checks can catch the change.
  void corrupt_and_reseal(std::size_t offset, const void* bytes, std::size_t n) const {
    corrupt(offset, bytes, n);
    std::ifstream in(path_, std::ios::binary);
    std::vector<unsigned char> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::memset(buf.data() + kCrcOffset, 0, 4);
    const auto crc = static_cast<std::uint32_t>(::crc32(::crc32(0L, Z_NULL, 0), buf.data(), static_cast<uInt>(buf.size())));
    corrupt(kCrcOffset, &crc, 4);
  }
  template <class T>
  T read_at(std::size_t offset) const {
    std::ifstream in(path_, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    T v{};
    in.read(reinterpret_cast<char*>(&v), sizeof v);
    return v;
  }
  static constexpr std::size_t kCrcOffset = 92;
  static constexpr std::size_t kSessionsOffOffset = 32;
  static constexpr std::size_t kNSessionsOffset = 40;
  static constexpr std::size_t kBarsOffOffset = 48;

  fs::path dir_;
  std::string path_;
  std::vector<bars::FootprintBar> bars_;
  std::vector<float> features_;
  DatasetMeta meta_;
};

TEST_F(DatasetFile, RoundTripsBarsFootprintsAndFeatures) {
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  auto d = Dataset::open(path_);
  ASSERT_TRUE(d) << d.error().message;
  ASSERT_EQ(d->size(), bars_.size());
  EXPECT_EQ(d->footprint_bars(), bars_);
  EXPECT_EQ(std::vector<float>(d->feature_matrix().begin(), d->feature_matrix().end()), features_);
  EXPECT_EQ(d->features(3)[2], features_[3 * d->num_features() + 2]);
  EXPECT_EQ(d->feature_set(), footprint_set());
  EXPECT_TRUE(d->check_feature_set(footprint_set()));
  EXPECT_EQ(d->meta().bar.to_string(), "1m");
  EXPECT_EQ(d->meta().source, "unit-test");
  EXPECT_EQ(d->meta().instrument.tick_value_cents, 1250);
  ASSERT_GE(d->sessions().size(), 2u);
  std::size_t covered = 0;
  for (const auto& s : d->sessions()) {
    EXPECT_EQ(s.first_bar, covered);
    for (std::size_t i = s.first_bar; i < s.first_bar + s.bar_count; ++i)
      EXPECT_EQ(d->bars()[i].trade_date, s.trade_date);
    covered += s.bar_count;
  }
  EXPECT_EQ(covered, bars_.size());
}

// The instrument with its contract round-trips; "" when only the root is known.
TEST_F(DatasetFile, RecordsTheInstrumentAndItsContract) {
  struct Row { const char* root; double tick_size; core::Cents tick_value_cents; const char* symbol; };
  const Row rows[] = {{"MES", 0.25, 125, "MESZ25-CME"}, {"CL", 0.01, 1000, "CLK26-NYMEX"}, {"ES", 0.25, 1250, ""}};
  for (const Row& r : rows) {
    meta_.instrument.root = r.root;
    meta_.instrument.tick_size = r.tick_size;
    meta_.instrument.tick_value_cents = r.tick_value_cents;
    meta_.instrument.symbol = r.symbol;
    ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_)) << r.root;
    auto d = Dataset::open(path_);
    ASSERT_TRUE(d) << r.root << ": " << d.error().message;
    EXPECT_EQ(d->meta().instrument.root, r.root);
    EXPECT_EQ(d->meta().instrument.tick_size, r.tick_size);
    EXPECT_EQ(d->meta().instrument.tick_value_cents, r.tick_value_cents);
    EXPECT_EQ(d->meta().instrument.time_zone, "America/Chicago");
    EXPECT_EQ(d->meta().instrument.symbol, r.symbol);
  }
}

// A dataset written before the contract was recorded (no "symbol" in its meta) still opens.
TEST_F(DatasetFile, ReadsADatasetWrittenBeforeTheContractWasRecorded) {
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  std::ifstream in(path_, std::ios::binary);
  std::vector<unsigned char> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  // Blank out the key in place (same length, still valid JSON), then reseal the checksum.
  const std::string key = "\"symbol\": \"\",";
  const std::string text(buf.begin(), buf.end());
  const auto at = text.find(key);
  ASSERT_NE(at, std::string::npos);
  const std::string blank(key.size(), ' ');
  corrupt_and_reseal(at, blank.data(), blank.size());
  auto d = Dataset::open(path_);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->meta().instrument.root, "ES");
  EXPECT_EQ(d->meta().instrument.symbol, "");
}

TEST_F(DatasetFile, RefusesAnotherFeatureSetNamingBoth) {
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  auto d = Dataset::open(path_);
  ASSERT_TRUE(d);
  features::FeatureConfig other_config;
  other_config.profile.imbalance_ratio = 2.5;
  const auto other = features::FeatureSet::by_name("footprint", other_config).value();
  auto st = d->check_feature_set(other);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find(path_ + ": model was trained on"), std::string::npos) << st.error().message;
}

TEST_F(DatasetFile, RefusesAnotherFormatVersion) {
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  const std::uint32_t v3 = 3;
  corrupt(8, &v3, 4);
  auto d = Dataset::open(path_);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message, path_ + ": offset 8: dataset format version is 3, this build reads version 2: "
                                       "rebuild the dataset with `daytrader bars`");
  const std::uint32_t v1 = 1;
  corrupt(8, &v1, 4);
  auto old = Dataset::open(path_);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().message, path_ + ": offset 8: dataset format version is 1, whose checksum does not cover "
                                         "the header; this build reads version 2: rebuild the dataset with "
                                         "`daytrader bars`");
}

TEST_F(DatasetFile, ChecksumCoversTheHeader) {
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  const auto n_sessions = read_at<std::uint64_t>(kNSessionsOffset);
  ASSERT_GE(n_sessions, 2u);
  const std::uint64_t fewer = n_sessions - 1;
  corrupt(kNSessionsOffset, &fewer, 8);
  auto d = Dataset::open(path_);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("checksum mismatch"), std::string::npos) << d.error().message;
}

TEST_F(DatasetFile, RefusesAResealedFileWithFewerSessionsThanBars) {
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  const std::uint64_t fewer = read_at<std::uint64_t>(kNSessionsOffset) - 1;
  corrupt_and_reseal(kNSessionsOffset, &fewer, 8);
  auto d = Dataset::open(path_);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("sessions cover"), std::string::npos) << d.error().message;
}

TEST_F(DatasetFile, RefusesOverlappingSessionsWithAValidChecksum) {
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  const auto sessions_off = read_at<std::uint64_t>(kSessionsOffOffset);
  // Session 1 starts one bar early, overlapping session 0.
  const auto first_bar = read_at<std::uint64_t>(sessions_off + sizeof(SessionRecord) + 8) - 1;
  corrupt_and_reseal(sessions_off + sizeof(SessionRecord) + 8, &first_bar, 8);
  auto d = Dataset::open(path_);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("session 1:"), std::string::npos) << d.error().message;
  EXPECT_NE(d.error().message.find("overlap"), std::string::npos) << d.error().message;
}

TEST_F(DatasetFile, RefusesABarWhoseHighIsBelowItsLow) {
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  const auto bars_off = read_at<std::uint64_t>(kBarsOffOffset);
  const std::size_t bar = 5;
  const std::int64_t high = bars_[bar].low.count() - 1;
  corrupt_and_reseal(bars_off + bar * sizeof(BarRecord) + offsetof(BarRecord, high), &high, 8);
  auto d = Dataset::open(path_);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("bar 5: open"), std::string::npos) << d.error().message;
  EXPECT_NE(d.error().message.find("high is below low: corrupt"), std::string::npos) << d.error().message;
}

TEST_F(DatasetFile, RefusesATickSizeThatIsNotPositive) {
  meta_.instrument.tick_size = 0;
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  auto d = Dataset::open(path_);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("meta: instrument.tick_size is 0, expected a positive number"), std::string::npos)
      << d.error().message;
}

TEST_F(DatasetFile, DetectsCorruptionTruncationAndForeignFiles) {
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  const auto size = fs::file_size(path_);
  {
    const std::uint8_t flip = 0xFF;
    corrupt(size - 3, &flip, 1);
    auto d = Dataset::open(path_);
    ASSERT_FALSE(d);
    EXPECT_NE(d.error().message.find("checksum mismatch"), std::string::npos) << d.error().message;
  }
  ASSERT_TRUE(write_dataset(path_, meta_, footprint_set(), bars_, features_));
  fs::resize_file(path_, size - 100);
  auto truncated = Dataset::open(path_);
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().message.find("truncated or corrupt"), std::string::npos);
  corrupt(0, "SCID", 4);
  auto foreign = Dataset::open(path_);
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("not a daytrader dataset"), std::string::npos);
  fs::resize_file(path_, 10);
  auto tiny = Dataset::open(path_);
  ASSERT_FALSE(tiny);
  EXPECT_NE(tiny.error().message.find("10 bytes, shorter than the 128-byte dataset header"), std::string::npos);
}

TEST_F(DatasetFile, RejectsAFeatureMatrixOfTheWrongShape) {
  features_.pop_back();
  auto st = write_dataset(path_, meta_, footprint_set(), bars_, features_);
  ASSERT_FALSE(st);
  EXPECT_FALSE(fs::exists(path_));
}

}  // namespace
}  // namespace daytrader::dataset
