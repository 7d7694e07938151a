#include "dataset/dataset.h"

#include <gtest/gtest.h>

#include <date/date.h>

#include <cstring>
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
  const std::uint32_t v2 = 2;
  corrupt(8, &v2, 4);
  auto d = Dataset::open(path_);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message, path_ + ": offset 8: dataset format version is 2, this build reads version 1: "
                                       "rebuild the dataset with `daytrader bars`");
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
