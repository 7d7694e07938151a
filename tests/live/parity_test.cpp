// Live over loopback against `serve` in paper-trading mode (shared market, client pacing, bar
// fills) produces the same bars, feature rows, observations, decisions and trades as the
// backtest of the same model on the same session; and a crash (kill -9) in a position followed
// by a restart from the journal ends the same way, with nothing duplicated or lost.

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/instrument_table.h"
#include "dtc/codec.h"
#include "env/trading_env.h"
#include "journal/journal.h"
#include "live/parity.h"
#include "loopback_fixture.h"
#include "scid/writer.h"

namespace daytrader::live {
namespace {

using testing::PaperServer;
using testing::World;

// The backtest of the last session: every decision's observation and action, and the trades.
struct Backtest {
  std::vector<core::Timestamp> closes;
  std::vector<std::vector<float>> observations;
  std::vector<int> actions;
  std::vector<exec::ClosedTrade> trades;
};

Backtest backtest(const World& w) {
  const auto data = dataset::Dataset::open(w.dataset_path).value();
  const auto bundle = model::load_model_bundle(w.model_dir);
  rl::Policy policy = bundle.load_policy(1);
  env::EnvConfig cfg = bundle.config.env;
  cfg.mode = env::EpisodeMode::kEvaluate;
  cfg.session_begin = data.sessions().size() - 1;
  cfg.session_count = 1;
  auto env_data = env::EnvData::create(data, bundle.scaler, cfg).value();
  env::TradingEnv env(env_data, 1);
  Backtest b;
  std::vector<float> obs(env.observation_size());
  env.reset_to(0, obs);
  for (;;) {
    const int a = policy.act(obs, true);
    b.closes.push_back(env.decision_time());
    b.observations.push_back(obs);
    b.actions.push_back(a);
    if (env.step(a, obs).done()) break;
  }
  b.trades.assign(env.account().trades().begin(), env.account().trades().end());
  return b;
}

// What the journal holds for the traded session: entries sent and fills recorded.
struct JournalCounts {
  std::size_t entries = 0;
  std::size_t fills = 0;
  std::int64_t position = 0;  // the sum of the signed fills
  std::size_t disconnects = 0;
};

JournalCounts journal_counts(const RunnerConfig& cfg, std::int32_t trade_date) {
  auto j = journal::Journal::open(journal::journal_path(cfg.run_dir)).value();
  JournalCounts c;
  const auto orders = j->orders(trade_date).value();
  const auto fills = j->fills(trade_date).value();
  const auto events = j->events(0, 0).value();
  for (const auto& o : orders) c.entries += o.role == journal::OrderRole::kEntry ? 1 : 0;
  for (const auto& f : fills) c.position += f.side == exec::OrderSide::kBuy ? f.quantity : -f.quantity;
  for (const auto& e : events) c.disconnects += e.kind == "disconnect" ? 1 : 0;
  c.fills = fills.size();
  return c;
}

// Compares every bar of `trade_date` the engine built, and its feature row, with the dataset's
// bar of the same close time; returns how many were compared (0 after a failed assertion).
std::size_t compare_session_bars(const Engine& e, const dataset::Dataset& data, std::int32_t trade_date) {
  std::size_t j = 0, compared = 0;
  for (std::size_t i = 0; i < e.bars().size(); ++i) {
    if (e.bars()[i].trade_date != trade_date) continue;
    while (j < data.size() && data.bars()[j].close_time_ns < core::to_unix_ns(e.bars()[i].close_time)) ++j;
    EXPECT_LT(j, data.size());
    if (j >= data.size()) return 0;
    EXPECT_EQ(e.bars()[i], data.footprint_bar(j)) << "bar " << i;
    const auto row = data.feature_matrix().subspan(j * data.feature_set().size(), data.feature_set().size());
    EXPECT_EQ(std::memcmp(e.feature_rows()[i].data(), row.data(), row.size_bytes()), 0) << "feature row of bar " << i;
    if (::testing::Test::HasFailure()) return 0;
    ++compared;
  }
  return compared;
}

TEST(LiveParity, PaperTradingEqualsTheBacktestBarForBarAndTradeForTrade) {
  World w("parity");
  const auto bt = backtest(w);
  ASSERT_GT(bt.trades.size(), 2U) << "the random policy should trade a few times";

  PaperServer serve(w, w.at(7, 0));
  Runner runner(w.runner(serve.port(), "run"));
  const RunSummary s = runner.run();
  const Engine& e = *runner.engine();
  EXPECT_EQ(s.stop_reason, "end of the trading window");
  EXPECT_FALSE(s.halted) << s.halt_reason;

  // Bars and feature rows: every bar of the traded session (from its 17:00 open, half of it
  // history, half live) equals the dataset's. The bars of the warm-up's first session lack the
  // session before it (previous high/low), by design of the warm-up.
  const auto data = dataset::Dataset::open(w.dataset_path).value();
  const std::size_t compared = compare_session_bars(e, data, w.last_trade_date);
  EXPECT_GT(compared, 1000U) << "the traded session: warm-up history and live";

  // Decisions: same bars, same observations (bit for bit), same actions. The backtest's episode
  // ends at a lockout once flat; live goes on deciding to the window's end, and a lockout lets
  // none of those decisions trade.
  ASSERT_GE(e.decisions().size(), bt.actions.size());
  for (std::size_t i = bt.actions.size(); i < e.decisions().size(); ++i) {
    const auto& d = e.decisions()[i];
    EXPECT_TRUE(d.decision.intent == exec::Intent::kNone || !d.refused.empty()) << "decision " << i << " after the episode";
    EXPECT_NE(d.lockout, exec::Lockout::kNone) << "live decides past the backtest's end only under a lockout";
  }
  for (std::size_t i = 0; i < bt.actions.size(); ++i) {
    ASSERT_EQ(e.decisions()[i].bar_close, bt.closes[i]) << "decision " << i;
    ASSERT_EQ(std::memcmp(e.observations()[i].data(), bt.observations[i].data(), bt.observations[i].size() * 4), 0)
        << "observation of decision " << i;
    ASSERT_EQ(e.decisions()[i].action, bt.actions[i]) << "decision " << i;
  }
  // Trades: entry bar, side, exit reason, fill prices, P&L.
  const auto cmp = compare_trades(s.trades, bt.trades, core::Instrument::es(), core::SessionCalendar::cme_globex());
  EXPECT_TRUE(cmp.identical()) << cmp.table;
}

TEST(LiveRecovery, AKilledEngineRestartsFromTheJournalWithoutDuplicatesAndEndsLikeTheBacktest) {
  World w("recovery");
  const auto bt = backtest(w);
  ASSERT_GT(bt.trades.size(), 2U);
  PaperServer serve(w, w.at(7, 0));

  // First run: crash while in a position with the bracket working at the server.
  auto cfg = w.runner(serve.port(), "run");
  int seen = 0;
  cfg.crash_when = [&](const Engine& e) {
    return !e.is_flat() && e.is_settled() && e.has_working_orders() && ++seen == 1;
  };
  {
    Runner first(cfg);
    const auto s = first.run();
    EXPECT_EQ(s.stop_reason, "crash (simulated)");
    EXPECT_FALSE(first.engine()->is_flat());
  }
  // Second run, same journal: restores the position, finds the legs working, trades on.
  cfg.crash_when = nullptr;
  Runner second(cfg);
  const auto s = second.run();
  EXPECT_FALSE(s.halted) << s.halt_reason;
  const auto cmp = compare_trades(s.trades, bt.trades, core::Instrument::es(), core::SessionCalendar::cme_globex());
  EXPECT_TRUE(cmp.identical()) << cmp.table;

  // The journal: every order once, every fill once, and the fills add up to flat.
  const auto j = journal_counts(cfg, w.last_trade_date);
  EXPECT_EQ(j.position, 0);
  EXPECT_EQ(j.fills, 2 * bt.trades.size());
  EXPECT_EQ(j.entries, bt.trades.size()) << "no entry sent twice";
}


TEST(LiveFaults, TheServerGoesDownMidSessionAndComesBackWithoutADuplicateOrder) {
  World w("server_restart");
  const auto bt = backtest(w);
  ASSERT_GT(bt.trades.size(), 2U);
  PaperServer serve(w, w.at(7, 0));
  const std::uint16_t port = serve.port();
  auto cfg = w.runner(port, "run");
  bool restarted = false;
  // In a position, with everything before the server's clock mark received and its ack not yet
  // sent: the server goes down and a new one takes the same port (the market and the accounts,
  // like a broker's, survive it).
  cfg.crash_when = [&](const Engine& e) {
    if (!restarted && !e.is_flat() && e.is_settled() && e.has_working_orders()) {
      restarted = true;
      serve.server->stop();
      serve.start(port);
    }
    return false;
  };
  Runner runner(cfg);
  const auto s = runner.run();
  ASSERT_TRUE(restarted);
  EXPECT_FALSE(s.halted) << s.halt_reason;
  const auto cmp = compare_trades(s.trades, bt.trades, core::Instrument::es(), core::SessionCalendar::cme_globex());
  EXPECT_TRUE(cmp.identical()) << cmp.table;
  const auto j = journal_counts(cfg, w.last_trade_date);
  EXPECT_EQ(j.entries, bt.trades.size()) << "no entry sent twice";
  EXPECT_GE(j.disconnects, 1U);
}

TEST(LiveFaults, TheKillFileFlattensAndStopsAndHoldsAcrossARestart) {
  World w("kill");
  PaperServer serve(w, w.at(7, 0));
  auto cfg = w.runner(serve.port(), "run");
  bool touched = false;
  cfg.crash_when = [&](const Engine& e) {
    if (!touched && !e.is_flat() && e.is_settled()) {
      touched = true;
      std::ofstream(cfg.run_dir / "KILL") << "stop\n";
    }
    return false;
  };
  {
    Runner runner(cfg);
    const auto s = runner.run();
    EXPECT_TRUE(s.killed);
    EXPECT_EQ(s.stop_reason, "kill switch");
    EXPECT_TRUE(runner.engine()->is_flat());
    EXPECT_FALSE(runner.engine()->has_working_orders());
  }
  // Restarted with the file removed: the kill of this session is in the journal, so no entry.
  std::filesystem::remove(cfg.run_dir / "KILL");
  cfg.crash_when = nullptr;
  Runner again(cfg);
  const auto s = again.run();
  EXPECT_TRUE(s.killed);
  for (const auto& d : again.engine()->decisions())
    EXPECT_TRUE(d.decision.intent == exec::Intent::kNone || !d.refused.empty());
}


// The engine in a child process, killed with SIGKILL once the journal shows it in a position with
// both bracket legs working; a new engine on the same journal then finishes the session.
TEST(LiveRecovery, SigkillInAPositionThenARestartEndsLikeTheBacktest) {
  World w("sigkill");
  const auto bt = backtest(w);
  ASSERT_GT(bt.trades.size(), 2U);
  PaperServer serve(w, w.at(7, 0));
  const auto cfg = w.runner(serve.port(), "run");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    try {
      Runner child(cfg);
      (void)child.run();
    } catch (...) {
    }
    ::_exit(0);
  }
  bool killed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!killed && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (!std::filesystem::exists(journal::journal_path(cfg.run_dir))) continue;
    auto j = journal::Journal::open(journal::journal_path(cfg.run_dir), journal::Journal::Mode::kReadOnly);
    if (!j) continue;
    const auto fills = (*j)->fills(w.last_trade_date);
    const auto orders = (*j)->orders(w.last_trade_date);
    if (!fills || !orders || fills->size() % 2 == 0) continue;
    std::size_t legs_open = 0;
    for (const auto& o : *orders)
      if ((o.role == journal::OrderRole::kTarget || o.role == journal::OrderRole::kStop) &&
          o.status == journal::OrderStatus::kOpen)
        ++legs_open;
    if (legs_open == 2) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(killed) << "the child never held a position with its bracket working";
  ASSERT_TRUE(WIFSIGNALED(status));

  Runner again(cfg);
  const auto s = again.run();
  EXPECT_FALSE(s.halted) << s.halt_reason;
  const auto cmp = compare_trades(s.trades, bt.trades, core::Instrument::es(), core::SessionCalendar::cme_globex());
  EXPECT_TRUE(cmp.identical()) << cmp.table;
  const auto j = journal_counts(cfg, w.last_trade_date);
  EXPECT_EQ(j.entries, bt.trades.size()) << "no entry sent twice";
  EXPECT_EQ(j.fills, 2 * bt.trades.size()) << "no fill lost or invented";
  EXPECT_EQ(j.position, 0);
}


// serve, with junk in the stream: after the client's 200th clock acknowledgement, a frame of an
// unknown type, a trade of another SymbolID, a trade at price 0 and one with a NaN price.
class HostileApp final : public net::ServerApp {
 public:
  explicit HostileApp(sim::SimServer& inner) : inner_(inner) {}
  net::Server* server = nullptr;
  int injected = 0;

  void on_logged_on(net::ConnectionId id, const dtc::LogonRequest& r, core::Timestamp now) override {
    inner_.on_logged_on(id, r, now);
  }
  void on_message(net::ConnectionId id, const dtc::Message& m, core::Timestamp now) override { inner_.on_message(id, m, now); }
  void on_heartbeat(net::ConnectionId id, const dtc::Heartbeat& hb, core::Timestamp now) override {
    if (++acks_ == 200) inject(id);
    inner_.on_heartbeat(id, hb, now);
  }
  void on_closed(net::ConnectionId id, const dtc::CloseInfo& info) override { inner_.on_closed(id, info); }
  void on_ignored(net::ConnectionId id, const dtc::Message& m) override { inner_.on_ignored(id, m); }
  core::Timestamp on_poll(core::Timestamp now) override { return inner_.on_poll(now); }

 private:
  void inject(net::ConnectionId id) {
    std::vector<std::uint8_t> bytes = {12, 0, 0x0F, 0x27, 1, 2, 3, 4, 5, 6, 7, 8};  // Size 12, Type 9999
    dtc::MarketDataUpdateTrade other;
    other.symbol_id = 777;
    other.price = 5000.0;
    other.volume = 50;
    other.date_time = 1'711'000'000.0;
    dtc::encode_into(other, bytes);
    dtc::MarketDataUpdateTrade zero = other;
    zero.symbol_id = 1;
    zero.price = 0.0;
    dtc::encode_into(zero, bytes);
    dtc::MarketDataUpdateTrade nan = zero;
    nan.price = std::numeric_limits<double>::quiet_NaN();
    dtc::encode_into(nan, bytes);
    if (auto* s = server->session(id); s != nullptr && s->send_encoded(bytes)) ++injected;
  }
  sim::SimServer& inner_;
  int acks_ = 0;
};

TEST(LiveFaults, MalformedAndUnknownMessagesAreLoggedAndSkipped) {
  World w("hostile");
  const auto bt = backtest(w);
  sim::SimServer app(PaperServer::config(w.at(7, 0)), std::span<const scid::Record>(w.records));
  HostileApp hostile(app);
  net::ServerOptions so;
  so.port = 0;
  net::Server server(so, hostile);
  hostile.server = &server;
  app.attach(server);
  ASSERT_TRUE(server.start());
  Runner runner(w.runner(server.port(), "run"));
  const auto s = runner.run();
  server.stop();
  EXPECT_EQ(hostile.injected, 1);
  EXPECT_FALSE(s.halted) << s.halt_reason;
  bool reported = false;
  for (const auto& f : s.faults) reported = reported || f.find("unknown_types=1 bad_market_data=2") != std::string::npos;
  EXPECT_TRUE(reported) << "the skipped messages are counted in the summary and the journal";
  const auto cmp = compare_trades(s.trades, bt.trades, core::Instrument::es(), core::SessionCalendar::cme_globex());
  EXPECT_TRUE(cmp.identical()) << cmp.table;
}

TEST(LiveFaults, RefusedMarketDataStopsWithTheReasonAndSuggestsTheScidSource) {
  World w("refused");
  PaperServer serve(w, w.at(7, 0));
  auto cfg = w.runner(serve.port(), "run");
  cfg.symbol = "ESM24";  // not the server's symbol: MARKET_DATA_REJECT
  Runner runner(cfg);
  try {
    (void)runner.run();
    ADD_FAILURE() << "run() should have refused to start";
  } catch (const core::DaytraderError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("refused market data for ESM24"), std::string::npos) << what;
    EXPECT_NE(what.find("source = \"scid\""), std::string::npos) << what;
  }
}

// backtest and live --backtest-data check the data through ModelBundle::check_data: another
// instrument is refused first, naming both; another contract month of the same one is not.
TEST(LiveInstrument, TheModelBundleRefusesAnotherInstrumentsDataFirst) {
  World w("bundle");
  const auto bundle = model::load_model_bundle(w.model_dir);
  const auto data = dataset::Dataset::open(w.dataset_path).value();
  EXPECT_TRUE(bundle.check_data(data.feature_set(), data.meta().bar, data.meta().instrument));
  EXPECT_TRUE(bundle.check_instrument(core::find_instrument("ES")->instrument("ESZ25-CME")));
  struct Row { const char* root; const char* message; };
  const Row rows[] = {
      {"MES", "the model was trained on ES (tick 0.25 = $12.50); this data is MES (tick 0.25 = $1.25)"},
      {"NQ", "the model was trained on ES (tick 0.25 = $12.50); this data is NQ (tick 0.25 = $5.00)"},
      {"CL", "the model was trained on ES (tick 0.25 = $12.50); this data is CL (tick 0.01 = $10.00)"},
  };
  for (const Row& r : rows) {
    // Another bar spec too: the instrument is what the message names.
    const auto st = bundle.check_data(data.feature_set(), bars::BarSpec{bars::BarKind::kTime, 300},
                                      core::find_instrument(r.root)->instrument());
    ASSERT_FALSE(st) << r.root;
    EXPECT_NE(st.error().message.find(r.message), std::string::npos) << r.root << ": " << st.error().message;
  }
}

TEST(LiveInstrument, ASymbolOrChartFileOfAnotherInstrumentThanTheModelsIsRefusedBeforeConnecting) {
  World w("instrument");  // an ES model
  struct Row {
    const char* symbol;
    const char* scid_path;  // "" = the DTC source
    const char* message;
  };
  const Row rows[] = {
      {"MESZ25", "", "live: symbol \"MESZ25\" is MES: "},
      {"NQH26-CME", "", "live: symbol \"NQH26-CME\" is NQ: "},
      {"ZZZ", "", "live: [market] symbol \"ZZZ\": ZZZ is neither a known root"},
      {"ESZ25", "MESZ25-CME.scid", "MESZ25-CME.scid is a MES file; the symbol traded is ESZ25 (ES)"},
  };
  for (const Row& r : rows) {
    auto cfg = w.runner(1, "run");  // never connected: refused first
    cfg.symbol = r.symbol;
    if (*r.scid_path != 0) {
      cfg.source = DataSource::kScid;
      cfg.scid_path = (w.dir / r.scid_path).string();
    }
    Runner runner(cfg);
    try {
      (void)runner.run();
      ADD_FAILURE() << r.symbol << ": run() should have refused to start";
    } catch (const core::DaytraderError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(r.message), std::string::npos) << r.symbol << ": " << what;
      if (std::string_view(r.symbol) == "MESZ25") {
        EXPECT_NE(what.find("the model was trained on ES (tick 0.25 = $12.50); this data is MES (tick 0.25 = $1.25)"),
                  std::string::npos)
            << what;
      }
    }
  }
}

}  // namespace
}  // namespace daytrader::live

namespace daytrader::live {
namespace {

// The SCID source: the chart file grows in random chunks (partial records included) while the
// engine runs; the traded session's bars and feature rows equal those of the finished file.
TEST(LiveScidSource, AFileAppendedInRandomChunksGivesTheSameBarsAsTheFinishedFile) {
  World w("scid_source");
  const auto path = w.dir / "ES-loopback.scid";
  {
    auto writer = scid::Writer::open((w.dir / "full.scid").string(), scid::Writer::Mode::kTruncate).value();
    writer.append(w.records);
    ASSERT_TRUE(writer.close());
  }
  std::string bytes;
  {
    std::ifstream in(w.dir / "full.scid", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Everything before 07:00 of the last session is there when the engine starts.
  std::size_t first_live = 0;
  while (first_live < w.records.size() &&
         scid::decode_time(w.records[first_live].date_time).value_or(core::Timestamp{}) < w.at(7, 0))
    ++first_live;
  const std::size_t header = bytes.size() - w.records.size() * sizeof(scid::Record);
  std::size_t written = header + first_live * sizeof(scid::Record);
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(written));

  PaperServer serve(w, w.at(7, 0));  // orders only: this engine subscribes to no market data
  auto cfg = w.runner(serve.port(), "run");
  cfg.source = DataSource::kScid;
  cfg.scid_path = path.string();
  cfg.limits.stale_feed = std::chrono::hours(24);
  std::atomic<bool> live{false};
  cfg.crash_when = [&](const Engine& e) {
    if (e.is_live()) live = true;
    return false;
  };
  Runner runner(cfg);
  RunSummary s;
  std::thread engine_thread([&] { s = runner.run(); });
  while (!live) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::size_t> chunk(1, 6000);
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    while (written < bytes.size()) {
      const std::size_t n = std::min(chunk(rng), bytes.size() - written);
      out.write(bytes.data() + written, static_cast<std::streamsize>(n));
      out.flush();
      written += n;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  engine_thread.join();
  EXPECT_EQ(s.stop_reason, "end of the trading window");

  const Engine& e = *runner.engine();
  const auto data = dataset::Dataset::open(w.dataset_path).value();
  const std::size_t compared = compare_session_bars(e, data, w.last_trade_date);
  EXPECT_GT(compared, 1000U);
  EXPECT_GT(e.decisions().size(), 300U) << "decisions all through the window";
}

}  // namespace
}  // namespace daytrader::live
