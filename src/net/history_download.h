#pragma once
// Downloads DTC historical tick data into a Sierra Chart .scid file (dtc.md §6, §8(b)).
//
// One fresh connection per attempt, logged on with HeartbeatIntervalInSeconds 0 (historical
// only: a read-inactivity timeout instead of heartbeats), one HISTORICAL_PRICE_DATA_REQUEST for
// ticks (RecordInterval 0), read to the record with IsFinalRecord = 1.
//
// Records: a tick arrives as an 804 record or as a Sierra-style single-trade 803 record (§6.10);
// an 803 record maps field for field onto a SCID record (ask in High, bid in Low, side in
// BidVolume/AskVolume), so a file served by Sierra Chart or by `daytrader serve` is reproduced
// exactly. Placeholder records with time 0 are skipped (§6.8).
//
// DownloadOptions::raw_records (the default) sets dtc::kInteger1RawScidRecords in Integer_1:
// `daytrader serve` then sends its SCID records as stored (quote-only records and sub-trade
// markers included) and the file is reproduced byte for byte. Without it (or from a server that
// ignores the bit) the answer is §6.10 ticks: one record per trade, OpenPrice 0, no quote-only
// records, so the file gets the trades only.
//
// zlib (§6.7): DownloadOptions::zlib sets UseZLibCompression = 1; a server that answers with a
// compressed response (the header says so) is inflated by the client session, within
// DownloadOptions::inflate (a zip bomb is an error), and gives the same records as a plain one.
// Compression is binary-only: with a JSON encoding the request does not ask for it.
//
// Resumable: the file is opened for appending; the request starts at the second of the last
// record already in the file, and records earlier than that record, or equal in time up to the
// number of records of that time already stored, are dropped, so nothing is duplicated. A
// connection lost before the final record is retried the same way (§6.8), up to max_attempts.
// Whole records of zeros at the file's end (left by a crash) are cut off before the first
// append, so they never end up in the middle of the resumed file; the file is opened for writing
// only when the first record arrives (or the download completes), so attempts that cannot
// connect leave it exactly as it was (partial trailing bytes included). A file whose last record
// is after `to` (or more than a day in the future) is an error naming that record.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/timestamp.h"
#include "dtc/decoder.h"
#include "dtc/protocol.h"

namespace daytrader::net {

struct DownloadOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 11099;
  std::string username;
  std::string password;
  std::string symbol;
  std::string exchange;
  core::Timestamp from{};  // first instant wanted
  core::Timestamp to{};    // first instant not wanted; Timestamp{} = up to the latest
  std::string out_path;
  // Ask for the records as stored (dtc::kInteger1RawScidRecords); `download --trades-only` clears it.
  bool raw_records = true;
  // Ask for a zlib-compressed response (binary encoding only).
  bool zlib = false;
  dtc::InflateLimits inflate;
  // The session's encoding: binary (the default), JSON or compact JSON.
  dtc::Encoding encoding = dtc::Encoding::kBinary;
  int max_attempts = 3;
  core::Nanoseconds retry_delay = std::chrono::seconds(1);
  core::Nanoseconds inactivity_timeout = std::chrono::seconds(60);
};

struct DownloadProgress {
  int attempt = 1;
  std::uint64_t received = 0;    // records received in all attempts
  std::uint64_t written = 0;     // records appended to the file
  std::uint64_t duplicates = 0;  // records dropped because the file already had them
  std::optional<core::Timestamp> last_time;
};

struct DownloadResult {
  std::uint64_t existing_records = 0;  // in the file before this download
  std::uint64_t written = 0;
  std::uint64_t duplicates = 0;
  int attempts = 0;
  bool no_records = false;  // the server had nothing in the range
  std::optional<core::Timestamp> first_written;
  std::optional<core::Timestamp> last_written;
};

// Errors name the host, the file and the server's reason.
[[nodiscard]] core::Result<DownloadResult> download_ticks(
    const DownloadOptions& options, const std::function<void(const DownloadProgress&)>& progress = {});

}  // namespace daytrader::net
