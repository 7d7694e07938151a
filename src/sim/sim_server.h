#pragma once
// sim::SimServer: the DTC stand-in server behind `daytrader serve` (dtc.md §10), as a
// net::ServerApp. It includes no asio: net::Server runs it on its io thread, and a test can
// drive it without sockets through a sim::Transport (sans-I/O).
//
// Markets (SimServerConfig::market):
// - kPerConnection (the default): each connection is its own market. A MARKET_DATA_REQUEST
//   (subscribe) starts a replay of the SCID file from its first record on that connection's
//   simulated clock (data time runs at the chosen speed from the moment of the subscription),
//   and that connection's orders match against that replay (sim::Exchange), in stream order: a
//   fill is sent right after the trade that caused it. Several clients at once each get the
//   whole file. The account (one, `exchange.trade_account`, "SIM1" by default) lives as long as
//   the connection; an unsubscribe stops the stream and a new subscribe starts the file again.
// - kShared: one market for the whole server, like a real exchange. Its replay clock starts at
//   the first subscription of any connection and from then on runs on its own (it does not
//   stop when subscribers leave, except at a pacing hold, below); a subscriber receives the
//   stream from the current point on (a snapshot with the current bid/ask first). Accounts live
//   in the server for its whole life, keyed by trade account: a connection trades the account
//   named in its LOGON_REQUEST's TradeAccount (the default account when empty; an account is
//   created at the first logon naming it). Orders, position, fills, balance and used
//   ClientOrderIDs survive disconnects; working orders keep working against the replay while no
//   client is connected. Order updates and the unsolicited POSITION_UPDATE /
//   ACCOUNT_BALANCE_UPDATE of an account go to every connection of that account (subscribed or
//   not); request replies (open orders, positions, fills, balance, accounts, security
//   definition) only to the requester. A slow subscriber slows the one market for everybody.
//
// Client pacing (SimServerConfig::pace = kClient; speed max, or step in tests): data time is cut
// into intervals of `pace_seconds` aligned on Unix time (UTC). Before sending a record of time t
// with floor(t/P) > floor(last sent time/P), the server (a) closes the bar of the FillMode::kBar
// orders (Exchange::on_bar_close: fills, sibling cancels, POSITION_UPDATE and
// ACCOUNT_BALANCE_UPDATE), (b) sends every subscriber a HEARTBEAT whose CurrentDateTime is the
// boundary B = floor(t/P)*P (Unix seconds of data time), and (c) holds the stream until every
// current subscriber has acknowledged B with a HEARTBEAT whose CurrentDateTime is in [B, B + P),
// or forever while nobody is subscribed. Client heartbeats with other times do not count:
// earlier ones are stale, later ones are what a DTC client session sends on its own (its wall
// clock, far after replayed data), so a client may simply echo every server HEARTBEAT's
// CurrentDateTime once it has acted on everything before it. The session's own periodic
// heartbeats carry the wall clock and are never pacing heartbeats. A subscriber that joins
// during a hold (a client that crashed and reconnected) is sent the pending heartbeat after its
// snapshot. Orders that arrive during a hold are processed at once (in kBar mode a market order
// then fills at the first trade after the hold). A gap in the data gives one boundary only, B of
// the next record. At the end of the data the last bar is closed the same way and a final
// pacing heartbeat (floor(last/P)+1)*P is sent; nothing follows, so it needs no ack.
// Without pacing, FillMode::kBar still closes its bars at the same boundaries, without
// heartbeats or holds.
//
// SimServerConfig::start_at starts every replay later in the file (`serve --start-at`); the records
// before it are treated as already sent (history includes them, also for a connection that has
// not subscribed yet, in either market mode).
//
// Historical requests are answered from the same file (sim::HistoricalJob), but never beyond the
// replay's clock: a request is answered from the records [0, next) where `next` is the first
// record the replay has not sent yet at the moment the request is processed (shared market: the
// shared replay's position; before its first subscription nothing, or the records before
// start_at; per-connection market: that connection's replay, or, for a connection that has never
// subscribed, the whole file, as the downloader needs, or the records before start_at when it is
// set; after an unsubscribe, what that replay had sent). The
// HISTORICAL_PRICE_DATA_RESPONSE_HEADER is sent while the request is handled, before any later
// stream record on that connection, so a client knows exactly: the stream trades it received
// before the header are in the history (within the requested range), the ones after it are
// not. The records follow in batches that respect the connection's high-water mark,
// interleaved with its live stream (several responses may interleave; records carry their
// RequestID).

#include <atomic>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "net/server.h"
#include "scid/scid_format.h"
#include "sim/exchange.h"
#include "sim/replay.h"

namespace daytrader::sim {

enum class MarketMode : std::uint8_t { kPerConnection, kShared };
enum class PaceMode : std::uint8_t { kNone, kClient };

// "per-connection" / "shared" and "none" / "client"; errors name the option and the value.
[[nodiscard]] core::Result<MarketMode> parse_market_mode(std::string_view text);
[[nodiscard]] core::Result<PaceMode> parse_pace_mode(std::string_view text);
[[nodiscard]] std::string_view to_string(MarketMode m) noexcept;
[[nodiscard]] std::string_view to_string(PaceMode m) noexcept;

struct SimServerConfig {
  // Symbol, default trade account, instrument, commission, fill mode (tick|bar), slippage.
  ExchangeConfig exchange;
  ReplaySpeed speed;
  MarketMode market = MarketMode::kPerConnection;
  PaceMode pace = PaceMode::kNone;
  // The pacing interval, and the bar of FillMode::kBar, in seconds of data time (1..86400).
  std::int64_t pace_seconds = 60;
  // Where every replay starts: the first record at or after this time ({} = the file's first).
  // The records before it count as already passed: they are not streamed, history answers
  // include them (a live engine's warm-up), and the market's quote and last trade start from
  // them. Must not be after the last record. (`serve --start-at`: paper trading of one session
  // with the sessions before it as history.)
  core::Timestamp start_at{};
  // The trade/quote messages of the stream (dtc.md §5.9); kStandard (107/108) by default.
  MarketDataFormat market_data = MarketDataFormat::kStandard;
  // dtc.md §6.7 (`serve --zlib-history`): answer a request with UseZLibCompression = 1 with a
  // compressed response, but only on a historical-only connection (logged on with
  // HeartbeatInterval 0, never subscribed) in the binary encoding, since everything after the
  // header on that connection is then zlib data; after such a request the connection's further
  // messages are ignored. Elsewhere (a JSON session included), and by default, the header says 0
  // (which §6.7 allows) and the records follow uncompressed.
  bool zlib_history = false;
  // 803 (Sierra-style single-trade records, the default) or 804 records for tick requests
  // (dtc.md §6.10, §10; `serve --tick-records`).
  TickRecordFormat tick_records = TickRecordFormat::k803;
  std::size_t high_water_bytes = 1 << 20;  // stop producing for a connection above this backlog
  std::size_t batch_records = 8192;        // records per poll and market at most
};

// Errors name the option: "--pace client needs --speed max, was --speed realtime".
[[nodiscard]] core::Status validate(const SimServerConfig& config);

struct SimStats {
  std::atomic<std::uint64_t> trades_sent{0};  // summed over subscribers
  std::atomic<std::uint64_t> subscriptions{0};
  std::atomic<std::uint64_t> historical_requests{0};
  std::atomic<std::uint64_t> ignored_messages{0};
  std::atomic<std::uint64_t> bar_closes{0};     // boundaries closed (pacing or bar fills)
  std::atomic<std::uint64_t> pacing_holds{0};   // boundaries the stream waited at
  std::atomic<std::int64_t> held_at_unix_s{0};  // shared market: the boundary held now, 0 = none
  std::atomic<std::int64_t> clock_unix_s{0};    // shared market: the replay's data time
};

// Where SimServer's bytes go: the net::Server in `serve` (attach(net::Server&)), a recorder in a
// sans-I/O test. send() and pending_bytes() are called on the io thread; wake() from any thread.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(net::ConnectionId id, std::span<const std::uint8_t> frames) = 0;
  [[nodiscard]] virtual std::size_t pending_bytes(net::ConnectionId id) const = 0;
  // The encoding the connection's session speaks (the frames given to send() are binary either
  // way; a JSON session re-encodes them, which zlib data cannot survive).
  [[nodiscard]] virtual dtc::Encoding encoding(net::ConnectionId id) const {
    (void)id;
    return dtc::Encoding::kBinary;
  }
  // Have on_poll() called soon on the io thread.
  virtual void wake() = 0;
};

class SimServer : public net::ServerApp {
 public:
  // records must outlive the server (a scid::Reader's mapping, or a test's vector). Throws
  // core::DaytraderError when validate(config) fails.
  SimServer(SimServerConfig config, std::span<const scid::Record> records);
  ~SimServer() override;

  // One of them must be called before the server starts: where replies go.
  void attach(net::Server& server);
  void attach(Transport& transport) { transport_ = &transport; }

  // Speed "step" only (tests): lets n more records of every replay through. Thread-safe.
  void release(std::size_t n);

  [[nodiscard]] const SimStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const SimServerConfig& config() const noexcept { return config_; }

  void on_logged_on(net::ConnectionId id, const dtc::LogonRequest& request, core::Timestamp now) override;
  void on_message(net::ConnectionId id, const dtc::Message& message, core::Timestamp now) override;
  void on_heartbeat(net::ConnectionId id, const dtc::Heartbeat& heartbeat, core::Timestamp now) override;
  void on_closed(net::ConnectionId id, const dtc::CloseInfo& info) override;
  void on_ignored(net::ConnectionId id, const dtc::Message& message) override;
  core::Timestamp on_poll(core::Timestamp now) override;

 private:
  // One pass over the file: a connection's (per-connection market) or the server's (shared).
  struct Replay {
    std::size_t next = 0;  // the first record not sent yet
    core::Timestamp wall_start{};
    core::Timestamp data_start{};
    core::Timestamp data_now{};  // time of the last record sent, or the boundary held at
    std::uint64_t released_seen = 0;
    std::optional<std::int64_t> last_bucket;    // floor(time / P) of the last record sent
    std::optional<std::int64_t> closed_bucket;  // the last boundary whose bar close is done
    std::optional<std::int64_t> hold_s;         // pacing: the boundary waiting for acks
    bool end_closed = false;                    // the last bar closed after the last record
  };
  struct Market {
    std::optional<Replay> replay;
    std::map<std::string, Exchange, std::less<>> accounts;
    std::optional<core::Ticks> bid, ask, last;  // as last replayed (new accounts start from it)
  };
  struct Stream {
    std::uint32_t symbol_id = 0;
    StreamQuote quote;
    std::int64_t acked_s = std::numeric_limits<std::int64_t>::min();  // pacing acknowledgement
  };
  struct Connection {
    net::ConnectionId id = 0;
    std::string account;
    std::unique_ptr<Market> own;  // kPerConnection
    std::optional<Stream> stream;
    std::size_t history_limit = 0;  // kPerConnection without a replay: records history may use
    bool historical_only = false;   // logged on with HeartbeatInterval <= 0
    bool compressed = false;        // a zlib answer started: nothing else may be sent
    std::deque<HistoricalJob> jobs;
    std::vector<std::uint8_t> out;  // produced during one callback, handed over at its end
  };
  // An account and the connections that receive its updates (for one pump).
  struct Route {
    Exchange* exchange = nullptr;
    std::vector<Connection*> connections;
  };

  Market& market_of(Connection& c) { return c.own ? *c.own : shared_; }
  void subscribe(Connection& c, const dtc::MarketDataRequest& m, core::Timestamp now);
  void start_replay(Market& m, core::Timestamp now);
  // start_at: the quote and last trade of the records before it.
  void seed_market(Market& m);
  void historical(Connection& c, const dtc::HistoricalPriceDataRequest& m);
  // Streams what is due for one market; returns when to be polled again.
  core::Timestamp pump(Market& m, const std::vector<Connection*>& members, core::Timestamp now);
  // The bar that ends at boundary_s: bar fills of every account, then the pacing heartbeat.
  void close_bar(Replay& r, std::int64_t boundary_s, const std::vector<Connection*>& subs,
                 const std::vector<Route>& routes);
  [[nodiscard]] std::vector<Route> routes_of(Market& m, const std::vector<Connection*>& members);
  void publish(const std::vector<Route>& routes, std::size_t k);  // account_out_ to routes[k]
  void flush_all();
  [[nodiscard]] bool boundaries() const noexcept;

  SimServerConfig config_;
  std::span<const scid::Record> records_;
  std::unique_ptr<Transport> owned_transport_;
  Transport* transport_ = nullptr;
  std::unordered_map<net::ConnectionId, Connection> connections_;
  Market shared_;  // kShared
  std::vector<std::uint8_t> account_out_;
  std::size_t start_index_ = 0;  // the first record a replay sends (SimServerConfig::start_at)
  std::atomic<std::uint64_t> released_{0};
  SimStats stats_;
};

}  // namespace daytrader::sim
