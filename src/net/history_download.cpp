#include "net/history_download.h"

#include <fmt/format.h>

#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "market/from_dtc.h"
#include "net/client.h"
#include "net/credentials.h"
#include "scid/reader.h"
#include "scid/writer.h"

namespace daytrader::net {

namespace {

// Unix microseconds of a record's time, or nullopt for a placeholder (time 0) or a bad time.
std::optional<std::int64_t> unix_us(const dtc::HistoricalPriceDataRecordResponse& r) {
  const auto t = market::from_dtc_integer_time(r.start_date_time);
  if (!t) return std::nullopt;
  return core::to_unix_ns(*t) / 1000;
}
std::optional<std::int64_t> unix_us(const dtc::HistoricalPriceDataTickRecordResponse& r) {
  const auto t = market::from_dtc_seconds(r.date_time);
  if (!t) return std::nullopt;
  return core::to_unix_ns(*t) / 1000;
}

std::uint32_t to_u32(double v) {
  if (!(v >= 0)) return 0;
  if (v >= 4294967295.0) return 4294967295u;
  return static_cast<std::uint32_t>(std::llround(v));
}

scid::Record to_record(const dtc::HistoricalPriceDataRecordResponse& r, std::int64_t us) {
  scid::Record out;
  out.date_time = us + scid::kEpochOffsetUs;
  out.open = static_cast<float>(r.open_price);
  out.high = static_cast<float>(r.high_price);
  out.low = static_cast<float>(r.low_price);
  out.close = static_cast<float>(r.last_price);
  out.num_trades = r.num_trades;
  out.total_volume = to_u32(r.volume);
  out.bid_volume = to_u32(r.bid_volume);
  out.ask_volume = to_u32(r.ask_volume);
  return out;
}

scid::Record to_record(const dtc::HistoricalPriceDataTickRecordResponse& r, std::int64_t us) {
  scid::Record out;
  out.date_time = us + scid::kEpochOffsetUs;
  out.close = static_cast<float>(r.price);
  out.num_trades = 1;
  out.total_volume = to_u32(r.volume);
  if (r.at_bid_or_ask == dtc::AtBidOrAsk::kAtBid) out.bid_volume = out.total_volume;
  if (r.at_bid_or_ask == dtc::AtBidOrAsk::kAtAsk) out.ask_volume = out.total_volume;
  return out;
}

// One download attempt's connection; shares the writer and the dedup state with the loop.
struct Attempt : ClientListener {
  struct Shared {
    scid::Writer* writer = nullptr;       // opened by open_writer() at the first record
    std::function<core::Status()> open_writer;
    std::optional<std::int64_t> last_raw;  // raw SCID time of the last record in the file
    std::uint64_t equal_to_skip = 0;       // records at last_raw still expected again from the server
    std::uint64_t equal_in_file = 0;       // records at last_raw in the file
    DownloadProgress progress;
    DownloadResult result;
  };

  Attempt(const DownloadOptions& o, Shared& s, const std::function<void(const DownloadProgress&)>& p, int n)
      : options(o), shared(s), progress_cb(p), number(n) {
    shared.equal_to_skip = shared.equal_in_file;
  }

  const DownloadOptions& options;
  Shared& shared;
  const std::function<void(const DownloadProgress&)>& progress_cb;
  int number;
  Client* client = nullptr;
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  bool complete = false;             // final record seen or nothing to return
  std::optional<std::string> fatal;  // reject: no retry
  std::optional<std::string> write_error;
  std::string disconnect_reason;

  void on_logged_on(const dtc::LogonResponse& response) override {
    if (response.historical_price_data_supported == 0) {
      finish_with_error(
          fmt::format("{}:{}: the server does not serve historical data "
                      "(HistoricalPriceDataSupported = 0)",
                      options.host, options.port));
      return;
    }
    dtc::HistoricalPriceDataRequest r;
    r.request_id = number;
    r.symbol = options.symbol;
    r.exchange = options.exchange;
    r.record_interval = dtc::HistoricalDataInterval::kTick;
    if (options.raw_records) r.integer_1 = dtc::kInteger1RawScidRecords;
    if (options.zlib && !dtc::is_json(options.encoding)) r.use_zlib_compression = 1;
    std::int64_t start_us = core::to_unix_ns(options.from) / 1000;
    if (shared.last_raw) start_us = std::max(start_us, *shared.last_raw - scid::kEpochOffsetUs);
    r.start_date_time = start_us / 1'000'000;  // the second of the last record: it is resent
    if (options.to != core::Timestamp{}) {
      const std::int64_t to_ns = core::to_unix_ns(options.to);
      r.end_date_time = (to_ns + 999'999'999) / 1'000'000'000;
    }
    client->send(r);
  }

  void on_message(const dtc::Message& m) override {
    if (const auto* reject = std::get_if<dtc::HistoricalPriceDataReject>(&m)) {
      finish_with_error(fmt::format(
          "{}:{}: historical data request for {} rejected: {} (reason code {}{})", options.host, options.port,
          options.symbol, reject->reject_text.view(), static_cast<int>(reject->reject_reason_code),
          reject->retry_time_in_seconds > 0 ? fmt::format(", retry in {} s", reject->retry_time_in_seconds)
                                            : std::string()));
      return;
    }
    if (const auto* header = std::get_if<dtc::HistoricalPriceDataResponseHeader>(&m)) {
      // A compressed response (header->use_zlib_compression) is inflated by the session: the
      // records below arrive the same either way.
      if (header->no_records_to_return != 0) {
        shared.result.no_records = true;
        finish_ok();
      }
      return;
    }
    if (const auto* r = std::get_if<dtc::HistoricalPriceDataRecordResponse>(&m)) {
      if (const auto us = unix_us(*r)) take(to_record(*r, *us));
      if (r->is_final_record != 0) finish_ok();
      return;
    }
    if (const auto* r = std::get_if<dtc::HistoricalPriceDataTickRecordResponse>(&m)) {
      if (const auto us = unix_us(*r)) take(to_record(*r, *us));
      if (r->is_final_record != 0) finish_ok();
      return;
    }
    // HEARTBEAT, the trailer (807), USER_MESSAGE, unknown types: nothing to do (§8(b) step 8).
  }

  void take(const scid::Record& rec) {
    auto& p = shared.progress;
    ++p.received;
    const std::int64_t from_raw = core::to_unix_ns(options.from) / 1000 + scid::kEpochOffsetUs;
    if (rec.date_time < from_raw) return;
    if (options.to != core::Timestamp{} &&
        rec.date_time >= core::to_unix_ns(options.to) / 1000 + scid::kEpochOffsetUs)
      return;
    if (shared.last_raw) {
      if (rec.date_time < *shared.last_raw ||
          (rec.date_time == *shared.last_raw && shared.equal_to_skip > 0)) {
        if (rec.date_time == *shared.last_raw) --shared.equal_to_skip;
        ++p.duplicates;
        return;
      }
    }
    if (shared.writer == nullptr) {
      if (write_error) return;
      if (auto st = shared.open_writer(); !st) {
        write_error = st.error().message;
        finish_with_error(*write_error);
        return;
      }
    }
    shared.writer->append(rec);
    if (shared.last_raw && rec.date_time == *shared.last_raw) {
      ++shared.equal_in_file;
    } else {
      shared.last_raw = rec.date_time;
      shared.equal_in_file = 1;
    }
    shared.equal_to_skip = 0;
    ++p.written;
    const auto t = scid::decode_time(rec.date_time);
    p.last_time = t;
    if (!shared.result.first_written) shared.result.first_written = t;
    shared.result.last_written = t;
    if (progress_cb && p.written % 50'000 == 0) progress_cb(p);
  }

  void on_disconnected(const dtc::CloseInfo& info, bool, core::Nanoseconds) override {
    std::lock_guard lock(mutex);
    if (!done) {
      disconnect_reason = info.reason;
      // A refused logon or an unusable stream will not get better by retrying.
      if (info.kind == dtc::CloseKind::kLogonRejected || info.kind == dtc::CloseKind::kProtocolError)
        fatal = fmt::format("{}:{}: {}", options.host, options.port, info.reason);
    }
    done = true;
    cv.notify_all();
  }

  void finish_ok() {
    std::lock_guard lock(mutex);
    complete = true;
    done = true;
    cv.notify_all();
  }
  void finish_with_error(std::string message) {
    std::lock_guard lock(mutex);
    fatal = std::move(message);
    done = true;
    cv.notify_all();
  }
};

}  // namespace

core::Result<DownloadResult> download_ticks(const DownloadOptions& options,
                                            const std::function<void(const DownloadProgress&)>& progress) {
  if (options.symbol.empty()) return core::Error{"download: the symbol is empty"};
  if (auto s = check_logon_limits(Credentials{options.username, options.password}); !s)
    return core::Error{fmt::format("download from {}:{}: {}", options.host, options.port, s.error().message)};
  Attempt::Shared shared;

  // What the file holds already: its last time and how many records share it. Zero bytes left
  // at its end by a crash (whole records of zeros, a preallocated tail) are not records: they
  // are cut off before appending, so they never end up in the middle of the file.
  std::uint64_t keep_records = 0;
  bool trim_zero_tail = false;
  std::int64_t last_index = -1;
  if (std::filesystem::exists(options.out_path) && std::filesystem::file_size(options.out_path) > 0) {
    auto reader = scid::Reader::open(options.out_path);
    if (!reader) return reader.error();
    const auto records = reader->records();
    std::size_t n = records.size();
    while (n > 0 && scid::classify(records[n - 1]) == scid::RecordKind::kEmpty) --n;
    trim_zero_tail = n != records.size();
    keep_records = n;
    for (std::size_t i = n; i-- > 0;) {
      if (records[i].date_time == 0) continue;
      if (!shared.last_raw) {
        shared.last_raw = records[i].date_time;
        last_index = static_cast<std::int64_t>(i);
      }
      if (records[i].date_time != *shared.last_raw) break;
      ++shared.equal_in_file;
    }
  }
  if (shared.last_raw) {
    // A last record after the end of the range (or in the future) would make the request's
    // StartDateTime later than its EndDateTime: name the record instead of the server's reject.
    const auto last_t = scid::decode_time(*shared.last_raw);
    const std::int64_t last_us = *shared.last_raw - scid::kEpochOffsetUs;
    const bool after_to = options.to != core::Timestamp{} && last_us / 1'000'000 > core::to_unix_ns(options.to) / 1'000'000'000;
    const auto wall = std::chrono::system_clock::now().time_since_epoch();
    const bool future = last_us > std::chrono::duration_cast<std::chrono::microseconds>(wall).count() + 86'400'000'000LL;
    if (after_to || future)
      return core::Error{fmt::format(
          "{}: its last record (record {}, DateTime {}) is {} {}: the download would resume after it, so "
          "there is nothing to ask for; fix or move the file",
          options.out_path, last_index, last_t ? core::format_utc(*last_t) : fmt::format("raw {}", *shared.last_raw),
          future ? "in the future, after" : "after the end of the range,",
          future ? std::string("now") : core::format_utc(options.to))};
  }
  // Opened at the first record to write (or when the download completes), so an attempt that
  // cannot connect leaves the file exactly as it was.
  std::optional<scid::Writer> writer;
  const auto open_writer = [&]() -> core::Status {
    if (writer) return {};
    if (trim_zero_tail) {
      std::error_code ec;
      std::filesystem::resize_file(options.out_path, scid::kHeaderSize + keep_records * scid::kRecordSize, ec);
      if (ec)
        return core::Error{fmt::format("{}: cannot cut the {} empty records at its end: {}", options.out_path,
                                       "trailing", ec.message())};
      trim_zero_tail = false;
    }
    auto w = scid::Writer::open(options.out_path, scid::Writer::Mode::kAppend);
    if (!w) return w.error();
    writer.emplace(std::move(w.value()));
    shared.writer = &*writer;
    return {};
  };
  shared.open_writer = open_writer;
  shared.result.existing_records = keep_records;

  std::string last_failure;
  for (int n = 1; n <= options.max_attempts; ++n) {
    shared.progress.attempt = n;
    shared.result.attempts = n;
    Attempt attempt(options, shared, progress, n);
    ClientOptions co;
    co.host = options.host;
    co.port = options.port;
    co.reconnect = false;
    co.session.username = options.username;
    co.session.password = options.password;
    co.session.client_name = "daytrader-download";
    co.session.heartbeat_interval_s = 0;
    co.session.policy.inactivity_timeout = options.inactivity_timeout;
    co.session.encoding = options.encoding;
    co.session.inflate = options.inflate;
    {
      Client client(co, attempt);
      attempt.client = &client;
      client.start();
      std::unique_lock lock(attempt.mutex);
      attempt.cv.wait(lock, [&] { return attempt.done; });
      lock.unlock();
      client.stop("download finished");
    }
    if (writer)
      if (auto s = writer->flush(); !s) return s.error();
    if (attempt.fatal) return core::Error{*attempt.fatal};
    if (attempt.complete) {
      if (progress) progress(shared.progress);
      if (auto s = open_writer(); !s) return s.error();  // a new file gets its header
      if (auto s = writer->close(); !s) return s.error();
      shared.result.written = shared.progress.written;
      shared.result.duplicates = shared.progress.duplicates;
      return shared.result;
    }
    last_failure = attempt.disconnect_reason.empty() ? "the connection ended before the final record"
                                                     : attempt.disconnect_reason;
    if (n < options.max_attempts) std::this_thread::sleep_for(options.retry_delay * n);
  }
  if (writer)
    if (auto s = writer->close(); !s) return s.error();
  return core::Error{
      fmt::format("{}:{}: download of {} into {} incomplete after {} attempts ({} records "
                  "written; run again to resume): {}",
                  options.host, options.port, options.symbol, options.out_path, options.max_attempts,
                  shared.progress.written, last_failure)};
}

}  // namespace daytrader::net
