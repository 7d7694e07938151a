#include "scid/follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bars/footprint_builder.h"
#include "bars/scid_bars.h"
#include "core/instrument.h"
#include "market/from_scid.h"
#include "scid/reader.h"
#include "scid/writer.h"

namespace daytrader::scid {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A directory of its own for each test, removed at the end.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name =
        fmt::format("dt_follower_{}_{}_{}_{}", ::getpid(), info->test_suite_name(), info->name(), counter++);
    std::replace(name.begin(), name.end(), '/', '_');  // parameterized names hold slashes
    dir_ = fs::temp_directory_path() / name;
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

// --- File operations on raw bytes, as a writer mid-flush leaves them --------------------------

void append_bytes(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    ASSERT_GT(n, 0) << path << ": " << std::strerror(errno);
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

void overwrite_bytes(const std::string& path, std::uint64_t offset, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

std::string header_bytes(const Header& h = {}) {
  return {reinterpret_cast<const char*>(&h), sizeof h};
}
std::string record_bytes(const std::vector<Record>& rs, std::size_t first, std::size_t last) {
  return {reinterpret_cast<const char*>(rs.data() + first), (last - first) * sizeof(Record)};
}

bool same_records(const std::vector<Record>& a, const Record* b, std::size_t n) {
  return a.size() == n && (n == 0 || std::memcmp(a.data(), b, n * sizeof(Record)) == 0);
}

// --- A small deterministic tick sequence over two sessions ------------------------------------

constexpr std::int64_t kThursday1330Utc = 3'919'584'600'000'000;  // 2024-03-14 08:30 CDT
constexpr std::int64_t kUsPerSecond = 1'000'000;
constexpr std::int64_t kUsPerHour = 3600 * kUsPerSecond;

Record tick(std::int64_t t, float price, bool at_ask, std::uint32_t size, float open_marker = 0.0F) {
  Record r;
  r.date_time = t;
  r.open = open_marker;
  r.high = at_ask ? price : price + 0.25F;  // best ask
  r.low = at_ask ? price - 0.25F : price;   // best bid
  r.close = price;
  r.num_trades = 1;
  r.total_volume = size;
  r.bid_volume = at_ask ? 0 : size;
  r.ask_volume = at_ask ? size : 0;
  return r;
}

// Thursday's session from 08:30 CT, a few prints in the 16:00-17:00 halt, then Friday's session
// from 17:00 CT. Millisecond times with Sierra's microsecond counter for prints in the same
// millisecond, unbundled sweeps with FIRST/LAST markers, quote-only records and an empty record.
std::vector<Record> synthetic_ticks(std::uint64_t seed, int trades_per_session) {
  std::mt19937_64 rng(seed);
  std::vector<Record> out;
  std::int64_t price_ticks = 20400;  // 5100.00
  auto price = [&] { return static_cast<float>(price_ticks) * 0.25F; };
  std::uniform_int_distribution<int> step(-2, 2), size(1, 12), pct(0, 99);
  std::exponential_distribution<double> gap_ms(1.0 / 9000.0);  // ~9 s between prints
  auto session = [&](std::int64_t start_us, int n) {
    std::int64_t ms = start_us / 1000;
    std::int64_t last_ms = -1;
    std::int64_t counter = 0;
    auto stamp = [&] {
      counter = ms == last_ms ? counter + 1 : 0;
      last_ms = ms;
      return ms * 1000 + counter;
    };
    for (int i = 0; i < n; ++i) {
      ms += pct(rng) < 15 ? 0 : static_cast<std::int64_t>(gap_ms(rng));
      price_ticks += step(rng);
      const bool at_ask = pct(rng) < 50;
      const int kind = pct(rng);
      if (kind < 5) {  // a quote change without a trade
        Record q = tick(stamp(), price(), at_ask, 0);
        q.total_volume = q.bid_volume = q.ask_volume = 0;
        out.push_back(q);
      } else if (kind < 12) {  // an unbundled sweep over up to three prices
        const int fills = 2 + pct(rng) % 3;
        for (int f = 0; f < fills; ++f) {
          const float marker = f == 0 ? kFirstSubTrade : f == fills - 1 ? kLastSubTrade : 0.0F;
          out.push_back(tick(stamp(), price(), at_ask, static_cast<std::uint32_t>(size(rng)), marker));
          if (pct(rng) < 50) price_ticks += at_ask ? 1 : -1;
        }
      } else {
        out.push_back(tick(stamp(), price(), at_ask, static_cast<std::uint32_t>(size(rng))));
      }
    }
  };
  session(kThursday1330Utc, trades_per_session);
  out.push_back(Record{});  // an empty record: skipped by the adapter
  // 21:10-21:30 UTC: inside the 16:00-17:00 CT halt, not part of any session.
  for (int i = 0; i < 5; ++i)
    out.push_back(tick(kThursday1330Utc + 7 * kUsPerHour + 40 * 60 * kUsPerSecond + i * 240 * kUsPerSecond,
                       price(), i % 2 == 0, 1));
  session(kThursday1330Utc + 8 * kUsPerHour + 30 * 60 * kUsPerSecond, trades_per_session);  // 17:00 CT
  return out;
}

// --- Bars built incrementally from followed records, one trade at a time ---------------------

class LiveBars {
 public:
  LiveBars() : builder_(bars::BarSpec{bars::BarKind::kTime, 60}), adapter_(core::Instrument::es()) {}
  void on_records(const std::vector<Record>& rs) {
    market::Trade trade;
    market::Quote quote;
    for (const Record& r : rs)
      if (adapter_.convert(r, trade, quote) == market::ScidEvent::kTrade)
        if (auto bar = builder_.on_trade(trade)) bars_.push_back(std::move(*bar));
  }
  std::vector<bars::FootprintBar> finish() {
    if (auto bar = builder_.flush()) bars_.push_back(std::move(*bar));
    return std::move(bars_);
  }
  [[nodiscard]] const bars::BuilderStats& stats() const { return builder_.stats(); }

 private:
  bars::FootprintBuilder builder_;
  market::ScidAdapter adapter_;
  std::vector<bars::FootprintBar> bars_;
};

// --- 1. The key property ----------------------------------------------------------------------

struct ChunkedRun {
  std::uint64_t seed;
  std::size_t max_records_per_poll;
};

class FollowerChunks : public ::testing::TestWithParam<ChunkedRun> {};

TEST_P(FollowerChunks, GivesTheFinishedFilesRecordsAndBarsWhenAppendedInRandomChunks) {
  const ChunkedRun run = GetParam();
  TempDir dir;
  const std::vector<Record> ticks = synthetic_ticks(run.seed, 1500);
  // The finished file as scid::Writer writes it, then its bytes appended in 1..200-byte chunks.
  const std::string finished = dir.path("finished.scid");
  {
    auto w = Writer::open(finished, Writer::Mode::kTruncate);
    ASSERT_TRUE(w) << w.error().message;
    w->append(ticks);
    ASSERT_TRUE(w->close());
  }
  const std::string image = read_all(finished);
  ASSERT_EQ(image.size(), kHeaderSize + ticks.size() * kRecordSize);

  const std::string live = dir.path("ESM24-CME.scid");
  auto follower = Follower::open(live, {.max_records_per_poll = run.max_records_per_poll});
  ASSERT_TRUE(follower) << follower.error().message;
  EXPECT_TRUE(follower->is_waiting_for_file());

  std::mt19937_64 rng(run.seed * 7919 + 1);
  std::uniform_int_distribution<std::size_t> chunk(1, 200);
  // The first chunk is shorter than the header, so a partial header always occurs.
  std::uniform_int_distribution<std::size_t> first_chunk(1, kHeaderSize - 1);
  std::vector<Record> followed;
  std::vector<Record> batch;
  LiveBars live_bars;
  bool saw_partial_header = false;
  std::size_t largest_batch = 0;
  auto poll_once = [&] {
    batch.clear();
    auto n = follower->poll(batch);
    ASSERT_TRUE(n) << n.error().message;
    ASSERT_EQ(*n, batch.size());
    largest_batch = std::max(largest_batch, batch.size());
    followed.insert(followed.end(), batch.begin(), batch.end());
    live_bars.on_records(batch);
  };
  for (std::size_t at = 0; at < image.size();) {
    const std::size_t n = std::min(at == 0 ? first_chunk(rng) : chunk(rng), image.size() - at);
    append_bytes(live, std::string_view(image).substr(at, n));
    at += n;
    poll_once();
    if (follower->is_waiting_for_header() && follower->file_size() > 0) saw_partial_header = true;
    // Never ahead of the bytes that exist, never a partial record.
    ASSERT_LE(follower->next_offset(), std::max<std::uint64_t>(at, kHeaderSize));
  }
  for (int i = 0; i < 100000 && !follower->is_caught_up(); ++i) poll_once();
  poll_once();  // nothing left
  EXPECT_TRUE(batch.empty());

  auto reader = Reader::open(live);
  ASSERT_TRUE(reader) << reader.error().message;
  ASSERT_EQ(reader->size(), ticks.size());
  EXPECT_TRUE(same_records(followed, reader->records().data(), reader->size()));

  std::vector<bars::FootprintBar> expected;
  bars::FootprintBuilder batch_builder(bars::BarSpec{bars::BarKind::kTime, 60});
  const auto rep =
      bars::build_bars_from_scid(reader->records(), core::Instrument::es(), batch_builder,
                                 [&](bars::FootprintBar&& b) { expected.push_back(std::move(b)); });
  const std::vector<bars::FootprintBar> got = live_bars.finish();

  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], expected[i]) << "bar " << i << " opening at " << core::format_utc(got[i].open_time);
  }
  // The fixture exercises what it claims to.
  EXPECT_GT(expected.size(), 300u);
  EXPECT_EQ(batch_builder.stats().sessions, 2u);
  EXPECT_GT(batch_builder.stats().out_of_session, 0u);
  EXPECT_GT(rep.quotes, 0u);
  EXPECT_EQ(rep.skipped, 1u);
  EXPECT_EQ(live_bars.stats().trades, batch_builder.stats().trades);
  EXPECT_TRUE(saw_partial_header);
  EXPECT_LE(largest_batch, run.max_records_per_poll);
  const FollowerStats& st = follower->stats();
  EXPECT_EQ(st.records, ticks.size());
  EXPECT_EQ(st.skipped, 0u);
  EXPECT_GT(st.partial_tail_polls, 0u);
  EXPECT_GE(st.bytes_read, image.size());
  EXPECT_EQ(follower->pending_bytes(), 0u);
  EXPECT_EQ(follower->next_record(), ticks.size());
}

INSTANTIATE_TEST_SUITE_P(SeedsAndPollLimits, FollowerChunks,
                         ::testing::Values(ChunkedRun{1, 1u << 16}, ChunkedRun{2, 1u << 16}, ChunkedRun{3, 3},
                                           ChunkedRun{4, 1}),
                         [](const auto& p) {
                           return fmt::format("seed{}_max{}", p.param.seed, p.param.max_records_per_poll);
                         });

// --- 2. Edge cases, as scripts of file operations and polls -----------------------------------

Record numbered(std::size_t i) {
  return tick(kThursday1330Utc + static_cast<std::int64_t>(i) * kUsPerSecond,
              5000.0F + 0.25F * static_cast<float>(i % 8), i % 2 == 0, static_cast<std::uint32_t>(1 + i));
}
const std::vector<Record>& recs() {
  static const std::vector<Record> rs = [] {
    std::vector<Record> v;
    for (std::size_t i = 0; i < 20; ++i) v.push_back(numbered(i));
    return v;
  }();
  return rs;
}
std::string hdr() {
  return header_bytes();
}
std::string rec_bytes(std::size_t first, std::size_t last) {
  return record_bytes(recs(), first, last);
}
core::Timestamp time_of(std::size_t i) {
  return *decode_time(recs()[i].date_time);
}

struct Step {
  enum class Op { kAppend, kTruncate, kOverwrite, kReplace, kRemove, kPoll } op = Op::kPoll;
  std::string bytes{};   // kAppend, kOverwrite, kReplace
  std::uint64_t at = 0;  // kTruncate: the new size; kOverwrite: the offset
  // kPoll: the records expected, [first, first + count) of recs(), the state after the poll and,
  // when set, whether it caught up; or, when `error` is set, a part of the error message.
  std::size_t first = 0;
  std::size_t count = 0;
  FollowerState state = FollowerState::kFollowing;
  std::optional<bool> caught_up{};
  std::string error{};
};

Step append(std::string b) {
  return {.op = Step::Op::kAppend, .bytes = std::move(b)};
}
Step truncate_to(std::uint64_t size) {
  return {.op = Step::Op::kTruncate, .at = size};
}
Step overwrite(std::uint64_t offset, std::string b) {
  return {.op = Step::Op::kOverwrite, .bytes = std::move(b), .at = offset};
}
Step replace(std::string b) {
  return {.op = Step::Op::kReplace, .bytes = std::move(b)};
}
Step remove_file() {
  return {.op = Step::Op::kRemove};
}
Step poll(std::size_t first, std::size_t count, FollowerState state = FollowerState::kFollowing,
          std::optional<bool> caught_up = std::nullopt) {
  return {.op = Step::Op::kPoll, .first = first, .count = count, .state = state, .caught_up = caught_up};
}
Step poll_waiting(FollowerState state) {
  return poll(0, 0, state);
}
Step poll_error(std::string part) {
  return {.op = Step::Op::kPoll, .state = FollowerState::kFailed, .error = std::move(part)};
}

std::string describe(const Step& s) {
  switch (s.op) {
    case Step::Op::kAppend:
      return fmt::format("append {} bytes", s.bytes.size());
    case Step::Op::kTruncate:
      return fmt::format("truncate to {} bytes", s.at);
    case Step::Op::kOverwrite:
      return fmt::format("overwrite {} bytes at {}", s.bytes.size(), s.at);
    case Step::Op::kReplace:
      return fmt::format("replace by a file of {} bytes", s.bytes.size());
    case Step::Op::kRemove:
      return "remove the file";
    case Step::Op::kPoll:
      return s.error.empty() ? fmt::format("poll, expect records [{}, {}) state {}", s.first,
                                           s.first + s.count, static_cast<int>(s.state))
                             : fmt::format("poll, expect error containing \"{}\"", s.error);
  }
  return {};
}

Header with_magic(std::uint32_t magic) {
  Header h;
  h.magic = magic;
  return h;
}
Header with_record_size(std::uint32_t size) {
  Header h;
  h.record_size = size;
  return h;
}
Header with_header_size(std::uint32_t size) {
  Header h;
  h.header_size = size;
  return h;
}

struct Case {
  const char* name;
  std::optional<std::string> initial;  // the file before open(); nullopt: it does not exist
  FollowerOptions options;
  std::string open_error;  // set: open() must fail with a message containing it
  std::vector<Step> steps;
};

constexpr std::uint64_t at_record(std::uint64_t i) {
  return kHeaderSize + i * kRecordSize;
}
constexpr auto kFile = FollowerState::kWaitingForFile;
constexpr auto kHeader = FollowerState::kWaitingForHeader;

std::vector<Case> edge_cases() {
  const std::string r1 = rec_bytes(1, 2);
  const std::string r2 = rec_bytes(2, 3);
  return {
      {"missing file, then created with the header in two pieces",
       std::nullopt,
       {},
       "",
       {poll_waiting(kFile), poll_waiting(kFile), append(hdr().substr(0, 20)), poll_waiting(kHeader),
        append(hdr().substr(20)), poll(0, 0), append(rec_bytes(0, 3)),
        poll(0, 3, FollowerState::kFollowing, true)}},
      {"empty file, header in two pieces followed by records and a partial one",
       "",
       {},
       "",
       {poll_waiting(kHeader), append(hdr().substr(0, 55)), poll_waiting(kHeader),
        append(hdr().substr(55) + rec_bytes(0, 2) + r2.substr(0, 17)), poll(0, 2),
        append(r2.substr(17) + rec_bytes(3, 4)), poll(2, 2)}},
      {"a partial record is waited for down to its last byte",
       hdr() + rec_bytes(0, 1) + r1.substr(0, 39),
       {},
       "",
       {poll(0, 1), poll(1, 0), append(r1.substr(39)), poll(1, 1)}},
      {"bad magic arriving after open, and the error is sticky",
       std::nullopt,
       {},
       "",
       {append(header_bytes(with_magic(0x58494353)) + rec_bytes(0, 1)),
        poll_error("offset 0: magic is \"SCIX\" (0x58494353), expected \"SCID\""),
        poll_error("offset 0: magic is \"SCIX\"")}},
      {"bad magic in an existing file fails at open",
       header_bytes(with_magic(0x00000000)),
       {},
       "offset 0: magic is \"????\"",
       {}},
      {"record size other than 40",
       header_bytes(with_record_size(44)),
       {},
       "offset 8: record size is 44, expected 40",
       {}},
      {"header size below 56",
       std::nullopt,
       {},
       "",
       {append(header_bytes(with_header_size(20))), poll_error("offset 4: header size is 20")}},
      {"header size above 56: records start after it",
       std::nullopt,
       {},
       "",
       {append(header_bytes(with_header_size(64))), poll_waiting(kHeader),
        append("12345678" + rec_bytes(0, 1)), poll(0, 1)}},
      {"file truncated",
       hdr() + rec_bytes(0, 5),
       {},
       "",
       {poll(0, 5), truncate_to(at_record(2)),
        poll_error("file shrank from 256 to 136 bytes; was it rewritten?")}},
      {"file truncated and regrown past its size between polls",
       hdr() + rec_bytes(0, 3),
       {},
       "",
       {poll(0, 3), truncate_to(at_record(1)), append(rec_bytes(9, 10) + rec_bytes(3, 5)),
        poll_error("offset 136: record 2 changed after it was read")}},
      {"a record rewritten in place",
       hdr() + rec_bytes(0, 3),
       {},
       "",
       {poll(0, 3), overwrite(at_record(2), rec_bytes(9, 10)), append(rec_bytes(3, 4)),
        poll_error("record 2 changed after it was read")}},
      {"file replaced by a larger one",
       hdr() + rec_bytes(0, 3),
       {},
       "",
       {poll(0, 3), replace(hdr() + rec_bytes(0, 6)), poll_error("file was replaced by another file")}},
      {"file removed",
       hdr() + rec_bytes(0, 3),
       {},
       "",
       {poll(0, 3), remove_file(), poll_error("file was removed while being followed (it had 176 bytes)")}},
      {"start from a time between records: binary search",
       hdr() + rec_bytes(0, 10),
       {.start = StartAt::kTime, .start_time = time_of(4) + 500ms},
       "",
       {poll(5, 5), append(rec_bytes(10, 12)), poll(10, 2)}},
      {"start from the time of a record: that record is first",
       hdr() + rec_bytes(0, 10),
       {.start = StartAt::kTime, .start_time = time_of(7)},
       "",
       {poll(7, 3)}},
      {"start from a time after every record: later records are skipped until it",
       hdr() + rec_bytes(0, 3),
       {.start = StartAt::kTime, .start_time = time_of(6)},
       "",
       {poll(3, 0), append(rec_bytes(3, 5)), poll(5, 0), append(rec_bytes(5, 8)), poll(6, 2)}},
      {"start from a time before every record",
       hdr() + rec_bytes(0, 4),
       {.start = StartAt::kTime, .start_time = time_of(0) - 1h},
       "",
       {poll(0, 4)}},
      {"start from a time with the file missing at open",
       std::nullopt,
       {.start = StartAt::kTime, .start_time = time_of(2)},
       "",
       {poll_waiting(kFile), append(hdr() + rec_bytes(0, 5)), poll(2, 3)}},
      {"start from the end: a partial record at open counts as new",
       hdr() + rec_bytes(0, 5) + rec_bytes(5, 6).substr(0, 10),
       {.start = StartAt::kEnd},
       "",
       {poll(5, 0), append(rec_bytes(5, 6).substr(10) + rec_bytes(6, 7)), poll(5, 2)}},
      {"start from the end with the file missing at open",
       std::nullopt,
       {.start = StartAt::kEnd},
       "",
       {poll_waiting(kFile), append(hdr() + rec_bytes(0, 2)), poll(0, 2)}},
      {"max records per poll respected across polls",
       hdr() + rec_bytes(0, 10),
       {.max_records_per_poll = 4},
       "",
       {poll(0, 4, FollowerState::kFollowing, false), poll(4, 4, FollowerState::kFollowing, false),
        poll(8, 2, FollowerState::kFollowing, true), poll(10, 0, FollowerState::kFollowing, true),
        append(rec_bytes(10, 15)), poll(10, 4, FollowerState::kFollowing, false),
        poll(14, 1, FollowerState::kFollowing, true)}},
      {"max records per poll with a time start skipping records",
       hdr() + rec_bytes(0, 2),
       {.start = StartAt::kTime, .start_time = time_of(5), .max_records_per_poll = 2},
       "",
       {poll(2, 0), append(rec_bytes(2, 10)), poll(5, 2, FollowerState::kFollowing, false),
        poll(7, 2, FollowerState::kFollowing, false), poll(9, 1, FollowerState::kFollowing, true)}},
      {"max records per poll of 0 is refused",
       std::nullopt,
       {.max_records_per_poll = 0},
       "max_records_per_poll is 0, expected at least 1",
       {}},
  };
}

TEST(Follower, HandlesEachEdgeCaseOfAGrowingFile) {
  for (const Case& c : edge_cases()) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    const std::string path = dir.path("ESZ25.scid");
    if (c.initial) append_bytes(path, *c.initial);
    auto f = Follower::open(path, c.options);
    if (!c.open_error.empty()) {
      ASSERT_FALSE(f) << "open succeeded; status: " << f->status();
      EXPECT_NE(f.error().message.find(c.open_error), std::string::npos) << f.error().message;
      EXPECT_NE(f.error().message.find(path), std::string::npos) << f.error().message;
      continue;
    }
    ASSERT_TRUE(f) << f.error().message;
    for (std::size_t i = 0; i < c.steps.size(); ++i) {
      const Step& s = c.steps[i];
      SCOPED_TRACE(fmt::format("step {}: {}", i, describe(s)));
      switch (s.op) {
        case Step::Op::kAppend:
          append_bytes(path, s.bytes);
          break;
        case Step::Op::kTruncate:
          ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(s.at)), 0);
          break;
        case Step::Op::kOverwrite:
          overwrite_bytes(path, s.at, s.bytes);
          break;
        case Step::Op::kReplace:
          append_bytes(path + ".new", s.bytes);
          fs::rename(path + ".new", path);
          break;
        case Step::Op::kRemove:
          fs::remove(path);
          break;
        case Step::Op::kPoll: {
          std::vector<Record> out(1);  // a record already there stays, and errors leave it alone
          auto n = f->poll(out);
          if (!s.error.empty()) {
            ASSERT_FALSE(n) << "poll returned " << *n << "; status: " << f->status();
            EXPECT_NE(n.error().message.find(s.error), std::string::npos) << n.error().message;
            EXPECT_NE(n.error().message.find(path), std::string::npos) << n.error().message;
            EXPECT_EQ(out.size(), 1u);
            EXPECT_TRUE(f->is_failed());
            EXPECT_EQ(f->status(), n.error().message);
            break;
          }
          ASSERT_TRUE(n) << n.error().message;
          EXPECT_EQ(*n, s.count);
          EXPECT_EQ(f->state(), s.state) << f->status();
          ASSERT_EQ(out.size(), 1 + s.count);
          out.erase(out.begin());
          EXPECT_TRUE(same_records(out, recs().data() + s.first, s.count));
          if (s.count > 0) {
            EXPECT_EQ(f->next_record(), s.first + s.count);
          }
          if (s.caught_up) {
            EXPECT_EQ(f->is_caught_up(), *s.caught_up);
          }
          break;
        }
      }
    }
  }
}

// --- Status, counters and the remaining cases -------------------------------------------------

TEST(Follower, ReportsItsStatusAndCountsPollsBytesAndPartialTails) {
  TempDir dir;
  const std::string path = dir.path("ESZ25.scid");
  auto f = Follower::open(path);
  ASSERT_TRUE(f) << f.error().message;
  std::vector<Record> out;
  const std::string missing = f->status();
  append_bytes(path, hdr().substr(0, 30));
  ASSERT_TRUE(f->poll(out));
  const std::string short_header = f->status();
  append_bytes(path, hdr().substr(30) + rec_bytes(0, 2) + rec_bytes(2, 3).substr(0, 7));
  ASSERT_TRUE(f->poll(out));
  const std::string partial = f->status();
  ASSERT_TRUE(f->poll(out));  // nothing new; the tail is still partial
  append_bytes(path, rec_bytes(2, 3).substr(7));
  ASSERT_TRUE(f->poll(out));

  EXPECT_EQ(missing, path + ": waiting for the file to be created");
  EXPECT_EQ(short_header, path + ": waiting for the header: 30 of 56 bytes");
  EXPECT_EQ(partial, path +
                         ": following: next record 2 at offset 136, 2 records returned, 7 bytes "
                         "of a partial record pending");
  EXPECT_TRUE(same_records(out, recs().data(), 3));
  const FollowerStats& st = f->stats();
  EXPECT_EQ(st.polls, 4u);
  EXPECT_EQ(st.records, 3u);
  EXPECT_EQ(st.partial_tail_polls, 2u);
  // Header, two records, then record 1 again (the check) with record 2.
  EXPECT_EQ(st.bytes_read, 56u + 80u + 80u);
  EXPECT_EQ(f->pending_bytes(), 0u);
  EXPECT_TRUE(f->warnings().empty());
}

TEST(Follower, WarnsAboutAnUnknownVersionButFollows) {
  TempDir dir;
  const std::string path = dir.path("ESZ25.scid");
  Header h;
  h.version = 2;
  append_bytes(path, header_bytes(h) + rec_bytes(0, 1));
  auto f = Follower::open(path);
  ASSERT_TRUE(f) << f.error().message;
  std::vector<Record> out;
  auto n = f->poll(out);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 1u);
  ASSERT_EQ(f->warnings().size(), 1u);
  EXPECT_NE(f->warnings()[0].find("offset 12: version is 2, expected 1"), std::string::npos);
}

TEST(Follower, RefusesAPathThatIsNotARegularFile) {
  TempDir dir;
  const std::string path = dir.path("a_directory.scid");
  fs::create_directories(path);
  auto f = Follower::open(path);
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find(path + ": is not a regular file"), std::string::npos) << f.error().message;
}

TEST(Follower, MovesWithItsPosition) {
  TempDir dir;
  const std::string path = dir.path("ESZ25.scid");
  append_bytes(path, hdr() + rec_bytes(0, 2));
  auto opened = Follower::open(path);
  ASSERT_TRUE(opened) << opened.error().message;
  Follower a = std::move(*opened);
  std::vector<Record> out;
  ASSERT_TRUE(a.poll(out));
  Follower b = std::move(a);
  append_bytes(path, rec_bytes(2, 4));
  auto n = b.poll(out);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 2u);
  EXPECT_TRUE(same_records(out, recs().data(), 4));
}

}  // namespace
}  // namespace daytrader::scid
