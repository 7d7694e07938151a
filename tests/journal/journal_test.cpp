#include "journal/journal.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace daytrader::journal {
namespace {

namespace fs = std::filesystem;
using core::Ticks;

constexpr std::int32_t kDay = 19787;                     // 2024-03-05
constexpr std::int64_t kT0 = 1'709'649'000'000'000'000;  // 2024-03-05 14:30:00 UTC

// A fresh folder per test, removed afterwards.
class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("daytrader_journal_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = journal_path(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Journal> open(Journal::Mode mode = Journal::Mode::kReadWrite) {
    auto j = Journal::open(path_, mode);
    EXPECT_TRUE(j.has_value()) << (j ? "" : j.error().message);
    return j ? std::move(j).value() : nullptr;
  }

  fs::path dir_;
  fs::path path_;
};

OrderRow entry_order(std::string id = "E1") {
  OrderRow o;
  o.client_order_id = std::move(id);
  o.trade_date = kDay;
  o.role = OrderRole::kEntry;
  o.side = exec::OrderSide::kBuy;
  o.quantity = 1;
  o.type = OrderType::kMarket;
  o.created_wall_ns = kT0;
  return o;
}

OrderRow stop_order(std::string id, std::string parent) {
  OrderRow o = entry_order(std::move(id));
  o.role = OrderRole::kStop;
  o.side = exec::OrderSide::kSell;
  o.type = OrderType::kStop;
  o.price = Ticks(17'992);
  o.parent_client_order_id = std::move(parent);
  o.created_wall_ns = kT0 + 1'000;
  return o;
}

FillRow fill(std::string exec_id, std::int64_t exchange_ns, std::int64_t price = 18'000) {
  FillRow f;
  f.exec_id = std::move(exec_id);
  f.client_order_id = "E1";
  f.server_order_id = "S1";
  f.trade_date = kDay;
  f.side = exec::OrderSide::kBuy;
  f.quantity = 1;
  f.price = Ticks(price);
  f.exchange_ns = exchange_ns;
  f.received_wall_ns = exchange_ns + 2'000'000;
  return f;
}

std::int64_t count_rows(const fs::path& path, const std::string& table) {
  SQLite::Database db(path, SQLite::OPEN_READONLY);
  return db.execAndGet("SELECT count(*) FROM " + table).getInt64();
}

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary);
  f << bytes;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// ---- opening -----------------------------------------------------------------------------------

TEST_F(JournalTest, CreatesTheSchemaInWalModeWithFullSyncAndForeignKeys) {
  auto j = open();
  ASSERT_TRUE(j);
  const auto s = j->settings();
  ASSERT_TRUE(s) << s.error().message;
  const auto created = j->get_meta("created_utc");
  const auto version = j->get_meta("schema_version");

  EXPECT_TRUE(fs::exists(path_));
  EXPECT_EQ(s->journal_mode, "wal");
  EXPECT_EQ(s->synchronous, 2);  // FULL
  EXPECT_TRUE(s->foreign_keys);
  EXPECT_EQ(s->schema_version, kSchemaVersion);
  ASSERT_TRUE(version && *version);
  EXPECT_EQ(**version, std::to_string(kSchemaVersion));
  ASSERT_TRUE(created && *created);
  EXPECT_EQ((*created)->size(), 30u) << **created;  // 2024-03-05T14:30:00.000000000Z
  // WAL is a property of the file: another connection sees it too.
  SQLite::Database raw(path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(raw.execAndGet("PRAGMA application_id").getInt64(), kApplicationId);
}

TEST_F(JournalTest, ReopensAnExistingJournalKeepingItsRows) {
  {
    auto j = open();
    ASSERT_TRUE(j->set_meta("symbol", "ESM4"));
    ASSERT_TRUE(j->append_event(EventRow::of(EventKind::kStart, kT0, "start")));
  }
  auto j = open();
  ASSERT_TRUE(j);
  const auto symbol = j->get_meta("symbol");
  ASSERT_TRUE(symbol && *symbol);
  EXPECT_EQ(**symbol, "ESM4");
  EXPECT_EQ(*j->last_event_seq(), 1);
}

TEST_F(JournalTest, RefusesANewerSchemaVersionNamingTheFileAndVersions) {
  { ASSERT_TRUE(open()); }
  {
    SQLite::Database raw(path_, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  }
  const auto j = Journal::open(path_);
  ASSERT_FALSE(j);
  const std::string& m = j.error().message;
  EXPECT_NE(m.find(path_.string()), std::string::npos) << m;
  EXPECT_NE(m.find("schema version 99"), std::string::npos) << m;
  EXPECT_NE(m.find("(" + std::to_string(kSchemaVersion) + ")"), std::string::npos) << m;
}

TEST_F(JournalTest, RefusesABadSchemaVersion) {
  { ASSERT_TRUE(open()); }
  {
    SQLite::Database raw(path_, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE meta SET value = 'one' WHERE key = 'schema_version'");
  }
  const auto j = Journal::open(path_);
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message.find("schema_version 'one'"), std::string::npos) << j.error().message;
}

TEST_F(JournalTest, RefusesAFileThatIsNotADatabaseAndLeavesItAlone) {
  const std::string junk = std::string(4096, 'x') + "not sqlite";
  write_file(path_, junk);
  const auto j = Journal::open(path_);
  ASSERT_FALSE(j);
  const std::string& m = j.error().message;
  EXPECT_NE(m.find(path_.string()), std::string::npos) << m;
  EXPECT_NE(m.find("not a database"), std::string::npos) << m;
  EXPECT_EQ(read_file(path_), junk);
}

TEST_F(JournalTest, RefusesADatabaseOfAnotherApplicationWithoutChangingIt) {
  {
    SQLite::Database raw(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  }
  const auto j = Journal::open(path_);
  ASSERT_FALSE(j);
  const std::string& m = j.error().message;
  EXPECT_NE(m.find(path_.string()), std::string::npos) << m;
  EXPECT_NE(m.find("no meta table"), std::string::npos) << m;
  SQLite::Database raw(path_, SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "delete");  // not switched to WAL
}

TEST_F(JournalTest, RefusesADatabaseWithAnotherApplicationId) {
  {
    SQLite::Database raw(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA application_id = 1234");
  }
  const auto j = Journal::open(path_);
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message.find("application_id"), std::string::npos) << j.error().message;
}

TEST_F(JournalTest, OpenFailsNamingTheFileWhenTheFolderIsMissing) {
  const fs::path p = dir_ / "missing" / "journal.sqlite";
  const auto j = Journal::open(p);
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message.find(p.string()), std::string::npos) << j.error().message;
}

TEST_F(JournalTest, ReadOnlyNeedsAnExistingJournalAndRefusesWrites) {
  const auto missing = Journal::open(path_, Journal::Mode::kReadOnly);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("no such file"), std::string::npos) << missing.error().message;
  EXPECT_FALSE(fs::exists(path_));

  auto writer = open();
  ASSERT_TRUE(writer->record_intent(entry_order()));
  auto reader = open(Journal::Mode::kReadOnly);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->is_read_only());
  const auto refused = reader->append_event(EventRow::of(EventKind::kStatus, kT0, "x"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("read-only"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(reader->set_meta("k", "v"));
  // The reader sees the writer's later commits.
  ASSERT_TRUE(writer->mark_sent("E1", kT0 + 5));
  const auto o = reader->find_order("E1");
  ASSERT_TRUE(o && *o);
  EXPECT_EQ((*o)->status, OrderStatus::kSent);
}

// ---- meta and events ---------------------------------------------------------------------------

TEST_F(JournalTest, RoundTripsMetaWithHostileStrings) {
  auto j = open();
  const std::string nasty = "x'); DROP TABLE meta; --\n\"\\ \xE2\x82\xAC";
  ASSERT_TRUE(j->set_meta("model_folder", "runs/quickstart/fold_2"));
  ASSERT_TRUE(j->set_meta(nasty, nasty));
  ASSERT_TRUE(j->set_meta("model_folder", "runs/other"));  // overwrite
  const auto refused = j->set_meta("schema_version", "2");

  const auto folder = j->get_meta("model_folder");
  const auto back = j->get_meta(nasty);
  const auto missing = j->get_meta("nope");
  const auto all = j->meta();
  EXPECT_FALSE(refused);
  ASSERT_TRUE(folder && back && missing && all);
  EXPECT_EQ(folder->value_or(""), "runs/other");
  EXPECT_EQ(back->value_or(""), nasty);
  EXPECT_FALSE(missing->has_value());
  EXPECT_EQ(all->size(), 4u);  // created_utc, model_folder, nasty, schema_version
  EXPECT_EQ(*j->get_meta("schema_version"), std::optional<std::string>(std::to_string(kSchemaVersion)));
}

TEST_F(JournalTest, RoundTripsEventsIncludingALargePayload) {
  auto j = open();
  std::string big = "{\"rows\":[";
  for (int i = 0; i < 50'000; ++i) {
    if (i > 0) big += ',';
    big += std::to_string(i);
  }
  big += "]}";  // ~290 KB
  EventRow a = EventRow::of(EventKind::kStart, kT0, "engine started");
  EventRow b = EventRow::of(EventKind::kBar, kT0 + 60, "bar 14:31 close 4500.25", kDay, big);
  b.exchange_ns = kT0 + 59;
  EventRow c;
  c.wall_ns = kT0 + 61;
  c.kind = "custom_kind";  // kinds are free strings
  c.text = "two\nlines\r";
  c.trade_date = kDay;
  EventRow d = EventRow::of(EventKind::kStatus, kT0 + 62, "other day", kDay + 1);

  std::vector<std::int64_t> seqs;
  for (const auto& e : {a, b, c, d}) {
    const auto s = j->append_event(e);
    ASSERT_TRUE(s) << s.error().message;
    seqs.push_back(*s);
  }
  const auto all = j->events(1, 0);
  const auto two = j->events(seqs[1], 2);
  const auto day = j->events_on(kDay);
  ASSERT_TRUE(all && two && day);

  EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(*j->last_event_seq(), 4);
  ASSERT_EQ(all->size(), 4u);
  a.seq = 1;
  b.seq = 2;
  EXPECT_EQ((*all)[0], a);
  EXPECT_EQ((*all)[1], b);
  EXPECT_EQ((*all)[2].text, "two lines ");  // one line
  EXPECT_EQ((*all)[2].kind, "custom_kind");
  EXPECT_FALSE((*all)[2].payload.has_value());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].seq, 2);
  EXPECT_EQ((*two)[1].seq, 3);
  ASSERT_EQ(day->size(), 2u);
  EXPECT_EQ((*day)[0].seq, 2);
  EXPECT_EQ((*day)[1].seq, 3);
}

TEST_F(JournalTest, RefusesAnEventWithoutAKindOrWithAPayloadThatIsNotJson) {
  auto j = open();
  EventRow no_kind;
  no_kind.wall_ns = kT0;
  no_kind.text = "x";
  const auto r1 = j->append_event(no_kind);
  const auto r2 = j->append_event(EventRow::of(EventKind::kFault, kT0, "x", kDay, std::string("{not json")));
  ASSERT_FALSE(r1);
  ASSERT_FALSE(r2);
  EXPECT_NE(r1.error().message.find(path_.string()), std::string::npos) << r1.error().message;
  EXPECT_NE(r2.error().message.find("not valid JSON"), std::string::npos) << r2.error().message;
  EXPECT_EQ(*j->last_event_seq(), 0);
}

TEST(EventKinds, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(EventKind::kStatus); ++i) {
    const auto k = static_cast<EventKind>(i);
    EXPECT_EQ(parse_event_kind(to_string(k)), k) << to_string(k);
  }
  EXPECT_EQ(to_string(EventKind::kOrderUpdate), "order_update");
  EXPECT_FALSE(parse_event_kind("nope"));
  for (int i = 0; i <= static_cast<int>(OrderStatus::kUnknown); ++i)
    EXPECT_EQ(parse_order_status(to_string(static_cast<OrderStatus>(i))), static_cast<OrderStatus>(i));
}

// ---- orders ------------------------------------------------------------------------------------

TEST_F(JournalTest, RecordsAnIntentAndItsEventInOneTransaction) {
  auto j = open();
  OrderRow o = entry_order();
  o.status = OrderStatus::kFilled;  // ignored: an intent is an intent
  const auto seq = j->record_intent(o);
  ASSERT_TRUE(seq) << seq.error().message;
  const auto back = j->find_order("E1");
  const auto evs = j->events(1, 0);
  ASSERT_TRUE(back && *back && evs);

  OrderRow expected = o;
  expected.status = OrderStatus::kIntent;
  expected.intent_seq = *seq;
  expected.updated_wall_ns = o.created_wall_ns;
  EXPECT_EQ(**back, expected);
  ASSERT_EQ(evs->size(), 1u);
  const EventRow& e = (*evs)[0];
  EXPECT_EQ(e.seq, *seq);
  EXPECT_EQ(e.kind, "intent");
  EXPECT_EQ(e.wall_ns, kT0);
  EXPECT_EQ(e.trade_date, kDay);
  EXPECT_EQ(e.text, "intent E1 entry buy 1 market");
  ASSERT_TRUE(e.payload);
  const auto payload = nlohmann::json::parse(*e.payload);
  EXPECT_EQ(payload.at("client_order_id"), "E1");
  EXPECT_EQ(payload.at("side"), "buy");
}

TEST_F(JournalTest, IntentIsVisibleToAnotherConnectionWhenRecordIntentReturns) {
  auto writer = open();
  ASSERT_TRUE(writer->record_intent(entry_order("E1")));
  // The writer stays open; a plain SQLite connection and a second Journal both see the row.
  EXPECT_EQ(count_rows(path_, "orders"), 1);
  auto second = open();
  ASSERT_TRUE(second);
  const auto o = second->find_order("E1");
  ASSERT_TRUE(o && *o);
  EXPECT_EQ((*o)->status, OrderStatus::kIntent);
}

TEST_F(JournalTest, RefusesABadIntentWritingNothing) {
  auto j = open();
  ASSERT_TRUE(j->record_intent(entry_order("E1")));
  OrderRow no_price = stop_order("S1", "E1");
  no_price.price.reset();
  no_price.parent_client_order_id.reset();  // a bracket leg may be priced by its parent's fill
  OrderRow market_with_price = entry_order("E2");
  market_with_price.price = Ticks(1);
  OrderRow zero = entry_order("E3");
  zero.quantity = 0;

  const auto dup = j->record_intent(entry_order("E1"));
  const auto r1 = j->record_intent(no_price);
  const auto r2 = j->record_intent(market_with_price);
  const auto r3 = j->record_intent(zero);
  const auto r4 = j->record_intent(entry_order(""));
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().message.find("record_intent E1"), std::string::npos) << dup.error().message;
  EXPECT_NE(dup.error().message.find("already"), std::string::npos) << dup.error().message;
  EXPECT_FALSE(r1);
  EXPECT_FALSE(r2);
  EXPECT_FALSE(r3);
  EXPECT_FALSE(r4);
  EXPECT_EQ(count_rows(path_, "orders"), 1);
  EXPECT_EQ(count_rows(path_, "events"), 1);
}

TEST_F(JournalTest, MarksSentAndAppliesUpdates) {
  auto j = open();
  ASSERT_TRUE(j->record_intent(entry_order("E1")));
  ASSERT_TRUE(j->record_intent(stop_order("S1", "E1")));
  const auto sent = j->mark_sent("E1", kT0 + 10);
  ASSERT_TRUE(sent) << sent.error().message;

  OrderUpdate ack;
  ack.status = OrderStatus::kOpen;
  ack.server_order_id = "SRV-7";
  ack.wall_ns = kT0 + 20;
  ack.info = "accepted";
  ASSERT_TRUE(j->update_order("E1", ack));
  const auto working = j->open_orders();
  OrderUpdate filled;
  filled.status = OrderStatus::kFilled;
  filled.filled_quantity = 1;
  filled.avg_fill_price = Ticks(18'001);
  filled.wall_ns = kT0 + 30;
  filled.exchange_ns = kT0 + 29;
  ASSERT_TRUE(j->update_order("E1", filled));
  // A late mark_sent does not move a filled order back.
  ASSERT_TRUE(j->mark_sent("E1", kT0 + 40));

  const auto o = j->find_order("E1");
  const auto open_now = j->open_orders();
  const auto filled_ones = j->orders_with_status({OrderStatus::kFilled}, kDay);
  const auto other_day = j->orders_with_status({OrderStatus::kFilled}, kDay + 1);
  const auto day = j->orders(kDay);
  const auto evs = j->events(1, 0);
  OrderUpdate bad;
  const auto unknown = j->update_order("NOPE", bad);
  const auto unknown_sent = j->mark_sent("NOPE", kT0);
  ASSERT_TRUE(o && *o && working && open_now && filled_ones && other_day && day && evs);

  EXPECT_EQ((*o)->status, OrderStatus::kFilled);
  EXPECT_EQ((*o)->server_order_id, "SRV-7");  // kept when the update has none
  EXPECT_EQ((*o)->filled_quantity, 1);
  EXPECT_EQ((*o)->avg_fill_price, Ticks(18'001));
  EXPECT_EQ((*o)->info, "");
  EXPECT_EQ((*o)->sent_wall_ns, kT0 + 40);
  EXPECT_EQ((*o)->updated_wall_ns, kT0 + 40);
  ASSERT_EQ(working->size(), 2u);
  EXPECT_EQ((*working)[0].status, OrderStatus::kOpen);
  ASSERT_EQ(open_now->size(), 1u);
  EXPECT_EQ((*open_now)[0].client_order_id, "S1");
  EXPECT_EQ((*open_now)[0].parent_client_order_id, "E1");
  EXPECT_EQ((*open_now)[0].price, Ticks(17'992));
  ASSERT_EQ(filled_ones->size(), 1u);
  EXPECT_TRUE(other_day->empty());
  ASSERT_EQ(day->size(), 2u);
  EXPECT_EQ((*day)[0].client_order_id, "E1");
  std::vector<std::string> kinds;
  for (const auto& e : *evs) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"intent", "intent", "order_sent", "order_update", "order_update",
                                             "order_sent"}));
  EXPECT_EQ((*evs)[3].text, "order E1 open filled=0/1 server=SRV-7 info=\"accepted\"");
  EXPECT_EQ((*evs)[4].exchange_ns, kT0 + 29);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("update_order NOPE: no such order"), std::string::npos)
      << unknown.error().message;
  EXPECT_FALSE(unknown_sent);
  EXPECT_EQ(count_rows(path_, "events"), 6);
}

// ---- fills -------------------------------------------------------------------------------------

TEST_F(JournalTest, RecordsAFillOnceEvenWhenTheServerReplaysItAfterARestart) {
  {
    auto j = open();
    const auto first = j->record_fill(fill("X1", kT0));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(*first);
    const auto again = j->record_fill(fill("X1", kT0));
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
  }
  auto j = open();  // restart: the server's historical fills come again, marked recovered
  FillRow replay = fill("X1", kT0);
  replay.source = FillSource::kRecovered;
  const auto r = j->record_fill(replay);
  FillRow other = fill("X2", kT0 + 5);
  other.source = FillSource::kRecovered;
  other.client_order_id.reset();
  const auto r2 = j->record_fill(other);
  const auto fills = j->fills(kDay);
  ASSERT_TRUE(r && r2 && fills);

  EXPECT_FALSE(*r);
  EXPECT_TRUE(*r2);
  ASSERT_EQ(fills->size(), 2u);
  EXPECT_EQ((*fills)[0].source, FillSource::kStream);
  EXPECT_EQ((*fills)[1].client_order_id, std::nullopt);
  EXPECT_EQ(count_rows(path_, "fills"), 2);
  EXPECT_EQ(count_rows(path_, "events"), 2);  // one 'fill' event per inserted fill, none for duplicates
  EXPECT_TRUE(*j->has_fill("X1"));
  EXPECT_FALSE(*j->has_fill("X3"));
}

TEST_F(JournalTest, RoundTripsFillsOrderedByExchangeTimeThenExecId) {
  auto j = open();
  FillRow a = fill("B", kT0 + 100, 18'004);
  FillRow b = fill("A", kT0 + 100, 18'003);
  FillRow c = fill("Z", kT0 + 50, 18'001);
  c.side = exec::OrderSide::kSell;
  c.server_order_id.reset();
  FillRow other_day = fill("Q", kT0);
  other_day.trade_date = kDay + 1;
  for (const auto& f : {a, b, c, other_day}) ASSERT_TRUE(j->record_fill(f));
  const auto fills = j->fills(kDay);
  const auto evs = j->events_on(kDay);
  ASSERT_TRUE(fills && evs);

  ASSERT_EQ(fills->size(), 3u);
  c.event_seq = 3;
  b.event_seq = 2;
  a.event_seq = 1;
  EXPECT_EQ((*fills)[0], c);
  EXPECT_EQ((*fills)[1], b);
  EXPECT_EQ((*fills)[2], a);
  ASSERT_EQ(evs->size(), 3u);
  EXPECT_EQ((*evs)[0].kind, "fill");
  EXPECT_EQ((*evs)[0].exchange_ns, kT0 + 100);
  EXPECT_EQ((*evs)[0].wall_ns, kT0 + 100 + 2'000'000);
  EXPECT_EQ((*evs)[0].text, "fill B buy 1 @ 18004t order=E1");
}

// ---- day state ---------------------------------------------------------------------------------

TEST_F(JournalTest, UpsertsDayStateAndKeepsTheKillAcrossARestart) {
  DayState s;
  s.trade_date = kDay;
  s.start_balance_cents = 5'000'000;
  s.realized_cents = -12'500;
  s.high_water_mark_cents = 5'010'000;
  s.orders_sent = 3;
  s.trades = 1;
  s.updated_wall_ns = kT0;
  DayState later = s;
  later.lockout = "drawdown";
  later.killed = true;
  later.halted = true;
  later.halt_reason = "stale feed";
  later.last_bar_close_ns = kT0 + 60;
  later.updated_wall_ns = kT0 + 70;
  DayState next = s;
  next.trade_date = kDay + 3;
  {
    auto j = open();
    ASSERT_TRUE(j->save_day_state(s));
    const auto first = j->load_day_state(kDay);
    ASSERT_TRUE(first && *first);
    EXPECT_EQ(**first, s);
    ASSERT_TRUE(j->save_day_state(later));
    ASSERT_TRUE(j->save_day_state(next));
  }
  auto j = open();
  const auto back = j->load_day_state(kDay);
  const auto none = j->load_day_state(kDay + 1);
  const auto latest = j->latest_trade_date();
  const auto dates = j->trade_dates();
  ASSERT_TRUE(back && none && latest && dates);
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, later);
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(*latest, kDay + 3);
  EXPECT_EQ(*dates, (std::vector<std::int32_t>{kDay, kDay + 3}));
  EXPECT_EQ(count_rows(path_, "day_state"), 2);
}

TEST_F(JournalTest, LatestTradeDateIsEmptyWithoutDayState) {
  auto j = open();
  const auto latest = j->latest_trade_date();
  ASSERT_TRUE(latest);
  EXPECT_FALSE(latest->has_value());
}

// ---- batches -----------------------------------------------------------------------------------

TEST_F(JournalTest, ABatchCommitsTogetherOrRollsBackWhenDropped) {
  auto j = open();
  {
    auto batch = j->begin_batch();
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_TRUE(j->record_intent(entry_order("E1")));
    ASSERT_TRUE(j->record_intent(stop_order("S1", "E1")));
    EXPECT_FALSE(j->record_intent(entry_order("E1")));  // a failed write keeps the batch's others
    EXPECT_FALSE(j->begin_batch());                     // one at a time
    EXPECT_EQ(count_rows(path_, "orders"), 0);          // not visible before commit
    ASSERT_TRUE(batch->commit());
  }
  EXPECT_EQ(count_rows(path_, "orders"), 2);
  {
    auto batch = j->begin_batch();
    ASSERT_TRUE(batch);
    ASSERT_TRUE(j->record_intent(entry_order("E2")));
    ASSERT_TRUE(j->record_fill(fill("X1", kT0)));
  }  // dropped: rolled back
  EXPECT_EQ(count_rows(path_, "orders"), 2);
  EXPECT_EQ(count_rows(path_, "fills"), 0);
  EXPECT_EQ(count_rows(path_, "events"), 2);
  ASSERT_TRUE(j->record_intent(entry_order("E2")));  // single writes work again
  EXPECT_EQ(count_rows(path_, "orders"), 3);
}

// ---- a crash -----------------------------------------------------------------------------------

// Forks a child that opens the journal, records an intent and dies without closing it (SIGKILL
// or _exit). Returns the child's wait status, or -1 when it did not end within 20 s.
int run_child_that_dies(const fs::path& path, bool sigkill) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto j = Journal::open(path);
    if (!j) ::_exit(3);
    if (!(*j)->record_intent(entry_order("CRASH-1"))) ::_exit(4);
    if (sigkill) ::kill(::getpid(), SIGKILL);
    ::_exit(0);
  }
  if (pid < 0) return -2;
  int status = 0;
  for (int i = 0; i < 2000; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

TEST_F(JournalTest, AnIntentSurvivesTheWriterBeingKilled) {
  const int status = run_child_that_dies(path_, /*sigkill=*/true);
  ASSERT_GE(status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_TRUE(fs::exists(path_.string() + "-wal"));  // never checkpointed: the row lives in the WAL

  auto j = open();
  ASSERT_TRUE(j);
  const auto o = j->find_order("CRASH-1");
  const auto open_now = j->open_orders();
  ASSERT_TRUE(o && open_now);
  ASSERT_TRUE(o->has_value());
  EXPECT_EQ((*o)->status, OrderStatus::kIntent);
  ASSERT_EQ(open_now->size(), 1u);
  EXPECT_EQ(*j->last_event_seq(), 1);
}

TEST_F(JournalTest, AnIntentSurvivesAnExitWithoutClosing) {
  const int status = run_child_that_dies(path_, /*sigkill=*/false);
  ASSERT_GE(status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto j = open();
  const auto o = j->find_order("CRASH-1");
  ASSERT_TRUE(o && o->has_value());
}

}  // namespace
}  // namespace daytrader::journal
