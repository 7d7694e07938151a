#include "config/live_config.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace daytrader::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The example shipped as configs/live.example.toml: every key, at its default where it has one.
constexpr const char* kExampleToml =
    R"(# live.toml: `daytrader live --config live.toml [--set section.key=value ...]`
# The DTC credentials are never written here: put DTC_USERNAME and DTC_PASSWORD in the
# environment or in server.env_file. A key named like a password or user name is refused.
# Durations: `_s` keys are seconds (5 or 2.5), `_ms` keys whole milliseconds.

[server]
host = "127.0.0.1"         # Sierra Chart's DTC server, or `daytrader serve`
port = 11099               # 1..65535
env_file = ".env"          # where DTC_USERNAME / DTC_PASSWORD may come from; "" = environment only
heartbeat_s = 10           # 1..300
connect_timeout_s = 10
reconnect = true           # reconnect and reconcile after a lost connection

[market]
symbol = "ESZ25"           # required
exchange = "CME"           # "" = none
source = "dtc"             # "dtc" (the server's market data) | "scid" (follow scid_path)
# scid_path = "C:/SierraChart/Data/ESZ25.scid"   # required with source = "scid"
scid_poll_ms = 50          # how often the .scid file is checked, 1..10000
clock = "system"           # "system" (the wall clock) | "feed" (the data's time: replays)
warmup_sessions = 1        # sessions before the current one that warm bars and features, 0..5

[account]
trade_account = ""         # "" = the first account the server lists
max_position = 1           # contracts, either side, 1..100

[model]
folder = "models/es-5m"    # required: the folder `daytrader train` wrote
deterministic = true       # false = sample the actions (with seed)
seed = 1

[risk]
max_orders_per_day = 50    # 1..10000
max_trades_per_day = 20    # 1..10000
order_ack_timeout_s = 5.0  # an order not answered in time: flatten
bracket_ack_timeout_s = 5.0
stale_feed_s = 120.0       # no trade this long inside the window: flatten and pause
flatten_timeout_s = 10.0
kill_file = "KILL"         # its existence flattens and stops; relative to run.dir unless absolute
flatten_on_exit = true

[run]
dir = "runs/live-esz25"    # required: the journal and the logs
session_end_exit = true    # stop after the end-of-window flatten of the day
max_runtime_s = 0          # 0 = unlimited
)";

// The three required keys and nothing else.
constexpr const char* kMinimalToml = R"([market]
symbol = "ESZ25"
[model]
folder = "models/es"
[run]
dir = "runs/live"
)";

LiveConfig minimal_expected() {
  LiveConfig c;
  c.market.symbol = "ESZ25";
  c.model.folder = "models/es";
  c.run.dir = "runs/live";
  return c;
}

TEST(LiveConfig, TheExampleParsesToTheDocumentedDefaults) {
  auto c = parse_live_config(kExampleToml, "live.example.toml", {});
  ASSERT_TRUE(c) << c.error().message;
  LiveConfig expected;
  expected.market.symbol = "ESZ25";
  expected.market.exchange = "CME";
  expected.model.folder = "models/es-5m";
  expected.run.dir = "runs/live-esz25";
  EXPECT_EQ(*c, expected) << to_toml(*c);
}

TEST(LiveConfig, EveryKeyReachesItsField) {
  const char* text = R"(
[server]
host = "10.0.0.7"
port = 11199
env_file = "/etc/daytrader/dtc.env"
heartbeat_s = 30
connect_timeout_s = 2.5
reconnect = false

[market]
symbol = "ESH26"
exchange = "CME"
source = "scid"
scid_path = "data/ESH26.scid"
scid_poll_ms = 250
clock = "feed"
warmup_sessions = 3

[account]
trade_account = "SIM1"
max_position = 2

[model]
folder = "models/es-fold1"
deterministic = false
seed = 42

[risk]
max_orders_per_day = 12
max_trades_per_day = 4
order_ack_timeout_s = 1.5
bracket_ack_timeout_s = 2
stale_feed_s = 30.25
flatten_timeout_s = 7
kill_file = "/tmp/STOP"
flatten_on_exit = false

[run]
dir = "runs/r1"
session_end_exit = false
max_runtime_s = 3600
)";
  auto c = parse_live_config(text, "live.toml", {});
  ASSERT_TRUE(c) << c.error().message;
  LiveConfig e;
  e.server = {"10.0.0.7", 11199, "/etc/daytrader/dtc.env", 30, milliseconds(2500), false};
  e.market = {"ESH26", "CME", DataSource::kScid, "data/ESH26.scid", milliseconds(250), ClockSource::kFeed, 3};
  e.account = {"SIM1", 2};
  e.model = {"models/es-fold1", false, 42};
  e.risk = {12, 4, milliseconds(1500), seconds(2), milliseconds(30'250), seconds(7), "/tmp/STOP", false};
  e.run = {"runs/r1", false, seconds(3600)};
  EXPECT_EQ(c->server, e.server);
  EXPECT_EQ(c->market, e.market);
  EXPECT_EQ(c->account, e.account);
  EXPECT_EQ(c->model, e.model);
  EXPECT_EQ(c->risk, e.risk);
  EXPECT_EQ(c->run, e.run);
  EXPECT_EQ(kill_file_path(*c), std::filesystem::path("/tmp/STOP"));
}

TEST(LiveConfig, DefaultsFillEverythingButTheRequiredKeys) {
  auto c = parse_live_config(kMinimalToml, "live.toml", {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(*c, minimal_expected());
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_EQ(c->server.port, 11099);
  EXPECT_EQ(c->server.env_file, ".env");
  EXPECT_EQ(c->server.heartbeat_s, 10);
  EXPECT_EQ(c->server.connect_timeout, seconds(10));
  EXPECT_TRUE(c->server.reconnect);
  EXPECT_EQ(c->market.exchange, "");
  EXPECT_EQ(c->market.source, DataSource::kDtc);
  EXPECT_EQ(c->market.scid_poll, milliseconds(50));
  EXPECT_EQ(c->market.clock, ClockSource::kSystem);
  EXPECT_EQ(c->market.warmup_sessions, 1);
  EXPECT_EQ(c->account.trade_account, "");
  EXPECT_EQ(c->account.max_position, 1);
  EXPECT_TRUE(c->model.deterministic);
  EXPECT_EQ(c->model.seed, 1U);
  EXPECT_EQ(c->risk.max_orders_per_day, 50);
  EXPECT_EQ(c->risk.max_trades_per_day, 20);
  EXPECT_EQ(c->risk.order_ack_timeout, seconds(5));
  EXPECT_EQ(c->risk.bracket_ack_timeout, seconds(5));
  EXPECT_EQ(c->risk.stale_feed, seconds(120));
  EXPECT_EQ(c->risk.flatten_timeout, seconds(10));
  EXPECT_EQ(c->risk.kill_file, "KILL");
  EXPECT_TRUE(c->risk.flatten_on_exit);
  EXPECT_TRUE(c->run.session_end_exit);
  EXPECT_EQ(c->run.max_runtime, seconds(0));
  EXPECT_EQ(kill_file_path(*c), std::filesystem::path("runs/live") / "KILL");
}

TEST(LiveConfig, TheEffectiveTomlParsesBackToTheSameConfig) {
  LiveConfig c = minimal_expected();
  c.server.connect_timeout = milliseconds(100);  // 0.1 s: not exact in binary
  c.market.source = DataSource::kScid;
  c.market.scid_path = "C:\\SierraChart\\Data\\ESZ25.scid";  // backslashes and a drive letter
  c.market.clock = ClockSource::kFeed;
  c.market.scid_poll = milliseconds(20);
  c.account.trade_account = "Sim \"1\"";
  c.model.seed = 9'000'000'000'000'000'000ULL;
  c.risk.stale_feed = std::chrono::nanoseconds(1'234'567'891);
  c.run.max_runtime = seconds(8 * 3600);
  ASSERT_TRUE(validate(c)) << validate(c).error().message;

  const std::string text = to_toml(c);
  auto back = parse_live_config(text, "effective.toml", {});
  ASSERT_TRUE(back) << back.error().message << "\n" << text;
  EXPECT_EQ(*back, c) << text;
  EXPECT_EQ(to_toml(*back), text);

  auto example = parse_live_config(kExampleToml, "live.example.toml", {});
  ASSERT_TRUE(example) << example.error().message;
  auto example_back = parse_live_config(to_toml(*example), "effective.toml", {});
  ASSERT_TRUE(example_back) << example_back.error().message;
  EXPECT_EQ(*example_back, *example);
}

TEST(LiveConfig, ErrorsCiteFileLineColumnFieldAndValue) {
  struct Row {
    std::string text;
    std::vector<std::string> overrides;
    const char* expected;
  };
  const std::string ok = kMinimalToml;
  const Row rows[] = {
      // Unknown keys and sections, with where they are.
      {ok + "[risk]\nmax_orders_per_day = 5\nmax_postion = 2\n",
       {},
       "live.toml:9:1: unknown key risk.max_postion (known: max_orders_per_day, max_trades_per_day,"},
      {"[servr]\nport = 1\n",
       {},
       "live.toml:1:2: unknown section [servr] (known: [server], [market], [account], [model], [risk], "
       "[run])"},
      {"symbol = \"ESZ25\"\n", {}, "live.toml:1:1: unknown section [symbol]"},
      {"[server\n", {}, "live.toml:1:"},
      // Out of range.
      {"[server]\nhost = \"x\"\nport = 70000\n", {}, "live.toml:3:8: server.port: 70000 is outside 1..65535"},
      {"[server]\nport = 0\n", {}, "live.toml:2:8: server.port: 0 is outside 1..65535"},
      {"[server]\nheartbeat_s = 301\n", {}, "live.toml:2:15: server.heartbeat_s: 301 is outside 1..300"},
      {"[server]\nconnect_timeout_s = 0\n", {}, "live.toml:2:21: server.connect_timeout_s: 0 is not > 0"},
      {"[market]\nscid_poll_ms = 0\n", {}, "live.toml:2:16: market.scid_poll_ms: 0 is outside 1..10000"},
      {"[market]\nwarmup_sessions = 6\n", {}, "market.warmup_sessions: 6 is outside 0..5"},
      {"[account]\nmax_position = 101\n", {}, "account.max_position: 101 is outside 1..100"},
      {"[model]\nseed = -1\n", {}, "model.seed: -1 is outside 0..9223372036854775807"},
      {"[risk]\nmax_orders_per_day = 0\n", {}, "risk.max_orders_per_day: 0 is outside 1..10000"},
      {"[risk]\nmax_trades_per_day = 10001\n", {}, "risk.max_trades_per_day: 10001 is outside 1..10000"},
      {"[risk]\norder_ack_timeout_s = -1.5\n",
       {},
       "live.toml:2:23: risk.order_ack_timeout_s: -1.5 is not > 0"},
      {"[risk]\nbracket_ack_timeout_s = 0.0\n", {}, "risk.bracket_ack_timeout_s: 0 is not > 0"},
      {"[risk]\nstale_feed_s = 0\n", {}, "risk.stale_feed_s: 0 is not > 0"},
      {"[risk]\nflatten_timeout_s = 1e12\n",
       {},
       "risk.flatten_timeout_s: 1000000000000 is more than 1000000000 seconds"},
      {"[risk]\nstale_feed_s = nan\n", {}, "risk.stale_feed_s: nan is not finite"},
      {"[run]\nmax_runtime_s = -1\n", {}, "live.toml:2:17: run.max_runtime_s: -1 is not >= 0"},
      // Wrong types.
      {"[server]\nport = \"11099\"\n", {}, "live.toml:2:8: server.port: expected an integer, got \"11099\""},
      {"[server]\nport = 11099.0\n", {}, "server.port: expected an integer, got 11099.0"},
      {"[server]\nhost = 127\n", {}, "live.toml:2:8: server.host: expected a string, got 127"},
      {"[server]\nreconnect = \"yes\"\n", {}, "server.reconnect: expected true or false, got \"yes\""},
      {"[market]\nscid_poll_ms = 2.5\n",
       {},
       "market.scid_poll_ms: expected a whole number of milliseconds, got 2.5"},
      {"[risk]\nstale_feed_s = \"2m\"\n", {}, "risk.stale_feed_s: expected a number of seconds, got \"2m\""},
      {"[market]\nsource = 1\n", {}, "market.source: expected a string, got 1"},
      {"[model]\nfolder = [\"a\"]\n", {}, "model.folder: expected a string, got [ 'a' ]"},
      // Enums list what is allowed.
      {"[market]\nsource = \"tcp\"\n",
       {},
       "live.toml:2:10: market.source: \"tcp\" is not a market data source; expected \"dtc\" or \"scid\""},
      {"[market]\nclock = \"wall\"\n",
       {},
       "live.toml:2:9: market.clock: \"wall\" is not a clock; expected \"system\" or \"feed\""},
      // Required keys and the rules across fields (no line: they are checked on the whole).
      {"[model]\nfolder = \"m\"\n[run]\ndir = \"r\"\n", {}, "live.toml: market.symbol is required"},
      {"[market]\nsymbol = \"\"\n[model]\nfolder = \"m\"\n[run]\ndir = \"r\"\n",
       {},
       "live.toml: market.symbol is required"},
      {"[market]\nsymbol = \"ESZ25\"\n[run]\ndir = \"r\"\n", {}, "live.toml: model.folder is required"},
      {"[market]\nsymbol = \"ESZ25\"\n[model]\nfolder = \"m\"\n", {}, "live.toml: run.dir is required"},
      {"", {}, "defaults: market.symbol is required"},
      // The symbol names a known instrument (its root decides which; live checks it against the model's).
      {"[market]\nsymbol = \"ZBZ25\"\n[model]\nfolder = \"m\"\n[run]\ndir = \"r\"\n",
       {},
       "live.toml: market.symbol \"ZBZ25\": unknown root ZB; known roots: ES, MES, NQ, MNQ, YM, MYM, RTY, M2K, CL"},
      {"[market]\nsymbol = \"ESF25\"\n[model]\nfolder = \"m\"\n[run]\ndir = \"r\"\n",
       {},
       "live.toml: market.symbol \"ESF25\": ES lists only H, M, U, Z contracts, not month F"},
      {ok + "[server]\nhost = \"\"\n", {}, "live.toml: server.host is empty"},
      {ok + "[risk]\nkill_file = \"\"\n", {}, "live.toml: risk.kill_file is empty"},
      {ok, {"market.source=scid"}, "live.toml: market.scid_path is required when market.source = \"scid\""},
      {ok + "[market]\n", {}, "live.toml:7:1: "},  // a table defined twice: a TOML syntax error
      {"[market]\nsymbol = \"ESZ25\"\nscid_path = \"x.scid\"\n[model]\nfolder = \"m\"\n[run]\ndir = \"r\"\n",
       {},
       "live.toml: market.scid_path = \"x.scid\" is not read when market.source = \"dtc\""},
      // Credentials are refused wherever they appear, before anything else is checked.
      {"[server]\npassword = \"hunter2\"\n",
       {},
       "live.toml:2:1: server.password: credentials belong in the environment or .env"},
      {"[server]\nDTC_USERNAME = \"me\"\n", {}, "live.toml:2:1: server.DTC_USERNAME: credentials belong in"},
      {"username = \"me\"\n", {}, "live.toml:1:1: username: credentials belong in"},
      {"[account]\nlogin = { user = \"me\", Password = \"hunter2\" }\n",
       {},
       "live.toml:2:24: account.login.Password: credentials belong in"},
      {"[password]\nx = 1\n", {}, "live.toml:1:2: password: credentials belong in"},
      {"[server]\npassword = hunter2\n", {}, "live.toml:2:1: credentials belong in"},  // not even TOML
      {"[server]\n  DTC_Password = \"hunter2\n", {}, "live.toml:2:3: credentials belong in"},
      // Overrides.
      {ok, {"risk.max_trades_per_day=0"}, "--set risk.max_trades_per_day=0: 0 is outside 1..10000"},
      {ok,
       {"risk.max_trade=1"},
       "--set risk.max_trade=1: unknown key risk.max_trade (known: max_orders_per_day"},
      {ok,
       {"risks.max_trades_per_day=1"},
       "--set risks.max_trades_per_day=1: unknown section risks (known: server,"},
      {ok,
       {"market.source"},
       "--set market.source: expected section.key=value, like risk.max_trades_per_day=10"},
      {ok,
       {"market.clock=wall"},
       "--set market.clock=wall: \"wall\" is not a clock; expected \"system\" or \"feed\""},
      {ok, {"server.port=abc"}, "--set server.port=abc: expected an integer, got \"abc\""},
      {ok,
       {"server.password=hunter2"},
       "--set server.password: credentials belong in the environment or .env"},
      {ok, {"password=hunter2"}, "--set password: credentials belong in"},
  };
  for (const Row& r : rows) {
    auto c = parse_live_config(r.text, r.text.empty() ? "defaults" : "live.toml", r.overrides);
    ASSERT_FALSE(c) << "text:\n" << r.text << "overrides: " << testing::PrintToString(r.overrides);
    EXPECT_NE(c.error().message.find(r.expected), std::string::npos)
        << "message:  " << c.error().message << "\nexpected: " << r.expected << "\ntext:\n"
        << r.text << "overrides: " << testing::PrintToString(r.overrides);
    EXPECT_EQ(c.error().message.find("hunter2"), std::string::npos)
        << "a credential was echoed: " << c.error().message;
  }
}

TEST(LiveConfig, OverridesApplyAfterTheFileAndBeforeValidation) {
  const std::string text = std::string(kMinimalToml) + "[risk]\nmax_trades_per_day = 5\n";
  auto c =
      parse_live_config(text, "live.toml",
                        {"risk.max_trades_per_day=3", "market.source=scid", "market.scid_path=ESZ25.scid",
                         "market.clock=feed", "server.host=localhost", "risk.stale_feed_s=0.5",
                         "model.deterministic=false", "account.trade_account=\"SIM 2\"", "run.dir=runs/x"});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->risk.max_trades_per_day, 3);  // the override wins over the file
  EXPECT_EQ(c->market.source, DataSource::kScid);
  EXPECT_EQ(c->market.scid_path, "ESZ25.scid");  // a bare word is a string
  EXPECT_EQ(c->market.clock, ClockSource::kFeed);
  EXPECT_EQ(c->server.host, "localhost");
  EXPECT_EQ(c->risk.stale_feed, milliseconds(500));
  EXPECT_FALSE(c->model.deterministic);
  EXPECT_EQ(c->account.trade_account, "SIM 2");
  EXPECT_EQ(c->run.dir, "runs/x");

  // The later of two overrides of one key wins; a bad one stops the parse and names itself.
  auto twice = parse_live_config(kMinimalToml, "live.toml", {"server.port=1", "server.port=2"});
  ASSERT_TRUE(twice) << twice.error().message;
  EXPECT_EQ(twice->server.port, 2);
  auto bad = parse_live_config(kMinimalToml, "live.toml", {"server.port=2", "server.port=65536"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--set server.port=65536: 65536 is outside 1..65535");
}

TEST(LiveConfig, ValidateChecksAConfigBuiltInCode) {
  LiveConfig c = minimal_expected();
  ASSERT_TRUE(validate(c)) << validate(c).error().message;
  struct Row {
    void (*change)(LiveConfig&);
    const char* expected;
  };
  const Row rows[] = {
      {[](LiveConfig& x) { x.server.port = 0; }, "server.port: 0 is outside 1..65535"},
      {[](LiveConfig& x) { x.server.heartbeat_s = 0; }, "server.heartbeat_s: 0 is outside 1..300"},
      {[](LiveConfig& x) { x.risk.stale_feed = seconds(0); }, "risk.stale_feed_s: 0 is not > 0"},
      {[](LiveConfig& x) { x.run.max_runtime = seconds(-1); }, "run.max_runtime_s: -1 is not >= 0"},
      {[](LiveConfig& x) { x.market.scid_poll = milliseconds(20'000); },
       "market.scid_poll_ms: 20000 is outside 1..10000"},
      {[](LiveConfig& x) { x.account.max_position = 0; }, "account.max_position: 0 is outside 1..100"},
      {[](LiveConfig& x) { x.market.source = DataSource::kScid; }, "market.scid_path is required when"},
      {[](LiveConfig& x) { x.run.dir.clear(); }, "run.dir is required"},
  };
  for (const Row& r : rows) {
    LiveConfig changed = c;
    r.change(changed);
    auto st = validate(changed);
    ASSERT_FALSE(st) << r.expected;
    EXPECT_EQ(st.error().message.rfind(r.expected, 0), 0U) << st.error().message;
  }
}

TEST(LiveConfig, LoadsAFileAndNamesItInMessages) {
  const std::filesystem::path dir = testing::TempDir();
  const std::filesystem::path path = dir / "live_config_test_live.toml";
  {
    std::ofstream out(path, std::ios::binary);
    out << kExampleToml;
  }
  auto c = load_live_config(path.string(), {"risk.max_trades_per_day=7"});
  ASSERT_TRUE(c) << c.error().message;
  auto direct = parse_live_config(kExampleToml, "x", {"risk.max_trades_per_day=7"});
  ASSERT_TRUE(direct) << direct.error().message;
  EXPECT_EQ(*c, *direct);
  auto bad = load_live_config(path.string(), {"server.port=0"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--set server.port=0: 0 is outside 1..65535");
  std::filesystem::remove(path);

  auto missing = load_live_config((dir / "no_such_live.toml").string(), {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no_such_live.toml: cannot open"), std::string::npos)
      << missing.error().message;
}

TEST(LiveConfig, EnumsReadBackTheirOwnText) {
  for (auto s : {DataSource::kDtc, DataSource::kScid}) {
    auto back = parse_data_source(to_string(s));
    ASSERT_TRUE(back) << to_string(s);
    EXPECT_EQ(*back, s);
  }
  for (auto k : {ClockSource::kSystem, ClockSource::kFeed}) {
    auto back = parse_clock_source(to_string(k));
    ASSERT_TRUE(back) << to_string(k);
    EXPECT_EQ(*back, k);
  }
  EXPECT_FALSE(parse_data_source("DTC"));  // case matters, as in every other enum key
}

}  // namespace
}  // namespace daytrader::config
