// Runs the DTC fuzz entry over every file of tests/fuzz/corpus/dtc/, so that a gcc build (no
// libFuzzer) still exercises it, and keeps the seed files equal to what the encoder produces.
//
// The seeds (seed-*.bin) are generated here; DT_UPDATE_GOLDEN=1 rewrites them:
//   DT_UPDATE_GOLDEN=1 build-dtc/tests/fuzz/dtc_fuzz_corpus_test
// Any other file in the directory (e.g. a reproducer saved from a libFuzzer finding) is run too.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "../dtc/test_support.h"
#include "dtc/codec.h"
#include "dtc_fuzz.h"

namespace daytrader::dtc {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

const fs::path kCorpusDir = fs::path(DAYTRADER_FUZZ_CORPUS_DIR) / "dtc";

// Mode byte of the fuzz input format (dtc_fuzz.cpp): chunk size, high bit = 64-byte bound.
constexpr std::uint8_t kWhole = 0;
constexpr std::uint8_t kSmallBound = 0x80;

Bytes input(std::uint8_t mode, const Bytes& stream) {
  Bytes out = stream;
  out.insert(out.begin(), mode);
  return out;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::string file_name_for(std::string_view message_name) {
  std::string out = "seed-";
  for (const char c : message_name) out += static_cast<char>(c == '_' ? '-' : std::tolower(c));
  return out + ".bin";
}

// Valid messages of every type, a client session, and broken streams: older and newer sizes,
// unknown types, truncation and the hostile headers.
std::map<std::string, Bytes> seed_corpus() {
  std::map<std::string, Bytes> seeds;
  testing::for_each_message_type([&seeds]<class M>() {
    seeds[file_name_for(M::kName)] = input(kWhole, encode(testing::random_message<M>(1)));
  });

  LogonRequest logon;
  logon.heartbeat_interval_in_seconds = 10;
  logon.client_name = "es-agent";
  MarketDataRequest subscribe;
  subscribe.symbol_id = 1;
  subscribe.symbol = "ESZ5";
  MarketDataUpdateTrade trade;
  trade.symbol_id = 1;
  trade.at_bid_or_ask = AtBidOrAsk::kAtAsk;
  trade.price = 5000.25;
  trade.volume = 2;
  trade.date_time = 1700000000.5;
  const Bytes session = cat({encode(EncodingRequest{}), encode(logon), encode(Heartbeat{}),
                             encode(subscribe), encode(MarketDataSnapshot{}), encode(trade),
                             encode(testing::random_message<OrderUpdate>(2))});
  seeds["stream-session-whole.bin"] = input(kWhole, session);
  seeds["stream-session-chunk-3.bin"] = input(3, session);
  seeds["stream-session-chunk-64.bin"] = input(64, session);

  const Bytes order = encode(testing::random_message<SubmitNewSingleOrder>(3));
  seeds["broken-older-single-order-264.bin"] = input(kWhole, testing::with_size(order, 264));
  seeds["broken-older-order-update-688.bin"] =
      input(7, testing::with_size(encode(testing::random_message<OrderUpdate>(4)), 688));
  seeds["broken-older-cancel-replace-128.bin"] = input(
      kWhole, testing::with_size(encode(testing::random_message<CancelReplaceOrder>(5)), 128));
  seeds["broken-header-only.bin"] = input(kWhole, testing::with_size(order, 4));
  seeds["broken-newer-trade-plus-tail.bin"] =
      input(5, cat({testing::with_size(encode(trade), 72), encode(Heartbeat{})}));
  seeds["broken-unknown-types.bin"] =
      input(kWhole, cat({testing::hex("08 00 66 00 01 02 03 04"), testing::hex("04 00 74 27"),
                         encode(Heartbeat{})}));
  seeds["broken-truncated-frame.bin"] = input(kWhole, Bytes(order.begin(), order.begin() + 100));
  seeds["broken-size-0.bin"] =
      input(kWhole, cat({encode(Heartbeat{}), testing::hex("00 00 03 00")}));
  seeds["broken-size-3.bin"] = input(2, testing::hex("03 00 01 00 ff"));
  seeds["broken-size-above-bound.bin"] = input(kWhole, testing::hex("ff ff 2d 01 00*16"));
  seeds["broken-size-above-small-bound.bin"] =
      input(kSmallBound | 1, cat({encode(Heartbeat{}), encode(Logoff{})}));
  return seeds;
}

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(DtcFuzzCorpus, SeedFilesAreWhatTheEncoderProduces) {
  const bool update = std::getenv("DT_UPDATE_GOLDEN") != nullptr &&
                      std::string(std::getenv("DT_UPDATE_GOLDEN")) == "1";
  for (const auto& [name, bytes] : seed_corpus()) {
    SCOPED_TRACE(name);
    const fs::path path = kCorpusDir / name;
    if (update) {
      fs::create_directories(kCorpusDir);
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),  // NOLINT: byte I/O
                 static_cast<std::streamsize>(bytes.size()));
    }
    ASSERT_TRUE(fs::exists(path)) << "missing seed; regenerate with DT_UPDATE_GOLDEN=1";
    EXPECT_EQ(read_file(path), bytes) << "stale seed; regenerate with DT_UPDATE_GOLDEN=1";
  }
}

TEST(DtcFuzzCorpus, EveryCorpusFileRunsThroughTheFuzzEntry) {
  ASSERT_TRUE(fs::is_directory(kCorpusDir)) << kCorpusDir;
  std::size_t files = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(kCorpusDir)) {
    if (!entry.is_regular_file()) continue;
    SCOPED_TRACE(entry.path().filename().string());
    const Bytes bytes = read_file(entry.path());
    EXPECT_EQ(daytrader::fuzz::dtc_fuzz_one_input(bytes.data(), bytes.size()), 0);
    ++files;
  }
  EXPECT_GE(files, seed_corpus().size());
}

}  // namespace
}  // namespace daytrader::dtc
