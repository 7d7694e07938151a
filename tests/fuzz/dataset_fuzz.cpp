// Properties checked on arbitrary bytes, beyond "no crash, no UB, no leak, no hang, no huge
// allocation":
// 1. Dataset::open either fails with a message naming the file, or gives a dataset whose every
//    accessor stays inside the file: each bar's levels and feature row, the footprint bars;
// 2. the sessions tile the bars in order, as open() promises;
// 3. check_feature_set() answers (either way) without touching anything else.
// Byte 0 is the mode (dataset_fuzz.h): fix the header's size and/or reseal the CRC-32.

#include "dataset_fuzz.h"

#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

#include "dataset/dataset.h"
#include "fuzz_support.h"

namespace daytrader::fuzz {
namespace {

void require(bool ok, const char* property) {
  fuzz::require(ok, "dataset", property);
}

// Header fields (dataset.cpp): file_size at 104, crc32 at 92, 128 bytes in all.
constexpr std::size_t kHeaderSize = 128;
constexpr std::size_t kCrcOffset = 92;
constexpr std::size_t kFileSizeOffset = 104;

}  // namespace

std::vector<std::uint8_t> dataset_fuzz_file(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return {};
  const std::uint8_t mode = data[0];
  std::vector<std::uint8_t> file(data + 1, data + size);
  if (file.size() >= kHeaderSize) {
    if ((mode & kDatasetFixSize) != 0) {
      const std::uint64_t n = file.size();
      std::memcpy(file.data() + kFileSizeOffset, &n, sizeof n);
    }
    if ((mode & kDatasetReseal) != 0) {
      std::memset(file.data() + kCrcOffset, 0, 4);
      const auto crc = static_cast<std::uint32_t>(
          ::crc32(::crc32(0L, Z_NULL, 0), file.data(), static_cast<uInt>(file.size())));
      std::memcpy(file.data() + kCrcOffset, &crc, sizeof crc);
    }
  }
  return file;
}

int dataset_fuzz_one_input(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::vector<std::uint8_t> file = dataset_fuzz_file(data, size);
  const MemFile mem(file, "fuzz.dtds");
  auto d = dataset::Dataset::open(mem.path());
  if (!d) {
    require(d.error().message.starts_with(mem.path() + ": "), "an open error names the file");
    return 0;
  }
  const std::size_t n = d->size();
  require(d->feature_matrix().size() == n * d->num_features(), "the feature matrix has a row per bar");
  std::uint64_t levels = 0;
  float checksum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto row = d->features(i);
    require(row.size() == d->num_features(), "a feature row has every column");
    for (const float x : row) checksum += x;
    for (const auto& l : d->levels(i)) levels += l.volume;
    const bars::FootprintBar b = d->footprint_bar(i);
    require(b.levels.size() == d->bars()[i].level_count, "a footprint bar has the record's levels");
  }
  std::uint64_t covered = 0;
  for (const auto& s : d->sessions()) {
    require(s.first_bar == covered && s.bar_count > 0, "sessions tile the bars");
    covered += s.bar_count;
  }
  require(covered == n, "sessions cover every bar");
  (void)d->check_feature_set(d->feature_set());
  (void)d->check_feature_set(features::FeatureSet("other", 1, {"a"}, {}));
  (void)levels;
  (void)checksum;
  return 0;
}

}  // namespace daytrader::fuzz
