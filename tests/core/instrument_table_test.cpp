#include "core/instrument_table.h"

#include <gtest/gtest.h>

#include <set>

namespace daytrader::core {
namespace {

TEST(InstrumentTable, HoldsEachContractsTickSizeAndValue) {
  struct Row {
    const char* root;
    double tick_size;
    Cents tick_value_cents;
    const char* exchange;
  };
  const Row rows[] = {
      {"ES", 0.25, 1250, "CME"},   {"MES", 0.25, 125, "CME"},   {"NQ", 0.25, 500, "CME"},
      {"MNQ", 0.25, 50, "CME"},    {"YM", 1.0, 500, "CBOT"},    {"MYM", 1.0, 50, "CBOT"},
      {"RTY", 0.10, 500, "CME"},   {"M2K", 0.10, 50, "CME"},    {"CL", 0.01, 1000, "NYMEX"},
      {"MCL", 0.01, 100, "NYMEX"}, {"GC", 0.10, 1000, "COMEX"}, {"MGC", 0.10, 100, "COMEX"},
  };
  for (const Row& r : rows) {
    const InstrumentSpec* s = find_instrument(r.root);
    ASSERT_NE(s, nullptr) << r.root;
    EXPECT_EQ(s->tick_size, r.tick_size) << r.root;
    EXPECT_EQ(s->tick_value_cents, r.tick_value_cents) << r.root;
    EXPECT_STREQ(s->exchange, r.exchange) << r.root;
    EXPECT_STREQ(s->time_zone, "America/Chicago") << r.root;
    EXPECT_EQ(s->globex_open, (LocalTimeOfDay{17 * 60, 0})) << r.root;
    EXPECT_EQ(s->globex_close, (LocalTimeOfDay{16 * 60, 0})) << r.root;
    EXPECT_LT(s->globex_close, s->globex_open) << r.root;
    EXPECT_LT(s->rth_open, s->rth_close) << r.root;
    EXPECT_LE(s->rth_close, s->globex_close) << r.root;
  }
  EXPECT_EQ(instrument_table().size(), std::size(rows));
  std::set<std::string> roots;
  for (const auto& s : instrument_table()) EXPECT_TRUE(roots.insert(s.root).second) << s.root;
  EXPECT_EQ(find_instrument("mes"), find_instrument("MES"));
  EXPECT_EQ(find_instrument("ZB"), nullptr);
  EXPECT_EQ(known_roots(), "ES, MES, NQ, MNQ, YM, MYM, RTY, M2K, CL, MCL, GC, MGC");
}

TEST(InstrumentTable, EsIsExactlyTodaysInstrumentCalendarAndRth) {
  const Instrument table_es = find_instrument("ES")->instrument();
  const Instrument es = Instrument::es();
  EXPECT_EQ(table_es.root, es.root);
  EXPECT_EQ(table_es.tick_size, es.tick_size);
  EXPECT_EQ(table_es.tick_value_cents, es.tick_value_cents);
  EXPECT_EQ(table_es.time_zone, es.time_zone);
  EXPECT_EQ(table_es.symbol, es.symbol);
  // Every known instrument shares the one Globex calendar object; RTH opens at 08:30 for ES.
  for (const auto& s : instrument_table())
    EXPECT_EQ(&session_calendar_of(s.instrument()), &SessionCalendar::cme_globex()) << s.root;
  EXPECT_EQ(rth_open_of(es), (LocalTimeOfDay{8 * 60 + 30, 0}));
  EXPECT_EQ(rth_open_of(find_instrument("CL")->instrument()), (LocalTimeOfDay{8 * 60, 0}));
  Instrument other = es;
  other.root = "ZZ";
  EXPECT_EQ(rth_open_of(other), (LocalTimeOfDay{8 * 60 + 30, 0}));
  other.time_zone = "America/New_York";
  const auto& ny = session_calendar_of(other);
  EXPECT_NE(&ny, &SessionCalendar::cme_globex());
  EXPECT_EQ(&ny, &session_calendar_of(other));  // cached
  EXPECT_EQ(ny.open_time(), (LocalTimeOfDay{17 * 60, 0}));
}

TEST(InstrumentTable, ParsesSierraAndCmeSymbols) {
  struct Row {
    const char* text;
    const char* root;
    const char* symbol;  // ContractSymbol::text
    char month_code;
    int month, year, year_digits;
  };
  const Row rows[] = {
      {"ESZ25-CME", "ES", "ESZ25-CME", 'Z', 12, 25, 2},
      {"MNQH26_FUT_CME", "MNQ", "MNQH26_FUT_CME", 'H', 3, 26, 2},
      {"ESZ5", "ES", "ESZ5", 'Z', 12, 5, 1},
      {"MESM26.CME", "MES", "MESM26.CME", 'M', 6, 26, 2},
      {"ESH5.CME", "ES", "ESH5.CME", 'H', 3, 5, 1},
      {"M2KZ25", "M2K", "M2KZ25", 'Z', 12, 25, 2},
      {"M2KZ5", "M2K", "M2KZ5", 'Z', 12, 5, 1},
      {"CLK26-NYMEX", "CL", "CLK26-NYMEX", 'K', 5, 26, 2},
      {"GCJ26-COMEX", "GC", "GCJ26-COMEX", 'J', 4, 26, 2},
      {"MGCQ25", "MGC", "MGCQ25", 'Q', 8, 25, 2},
      {"YMU25-CBOT", "YM", "YMU25-CBOT", 'U', 9, 25, 2},
      {"esz25-cme", "ES", "esz25-cme", 'Z', 12, 25, 2},
      {"ESZ25-CME-extra", "ES", "ESZ25-CME", 'Z', 12, 25, 2},
      {"ES", "ES", "", 0, 0, 0, 0},
      {"MES", "MES", "", 0, 0, 0, 0},
      {"ES-synthetic", "ES", "", 0, 0, 0, 0},
      {"ES-loopback", "ES", "", 0, 0, 0, 0},
      {"RTY", "RTY", "", 0, 0, 0, 0},
  };
  for (const Row& r : rows) {
    const auto s = parse_symbol(r.text);
    ASSERT_TRUE(s) << r.text << ": " << s.error().message;
    EXPECT_EQ(s->root, r.root) << r.text;
    EXPECT_EQ(s->text, r.symbol) << r.text;
    EXPECT_EQ(s->month_code, r.month_code) << r.text;
    EXPECT_EQ(s->month, r.month) << r.text;
    EXPECT_EQ(s->year, r.year) << r.text;
    EXPECT_EQ(s->year_digits, r.year_digits) << r.text;
    EXPECT_EQ(s->is_contract(), r.month_code != 0) << r.text;
  }
}

TEST(InstrumentTable, RefusesUnknownRootsAndMonthsListingTheKnownRoots) {
  struct Row {
    const char* text;
    const char* message;
  };
  const Row rows[] = {
      {"ZBZ25-CBOT", "symbol \"ZBZ25-CBOT\": unknown root ZB; known roots: ES, MES, NQ"},
      {"XYZ",
       "symbol \"XYZ\": XYZ is neither a known root nor ROOT + month code + year (ESZ25); known roots: ES,"},
      {"", "symbol \"\": expected a root like ES or a contract like ESZ25"},
      {"-CME", "symbol \"-CME\": expected a root"},
      {"ESF25", "symbol \"ESF25\": ES lists only H, M, U, Z contracts, not month F"},
      {"F.US.EPZ25", "symbol \"F.US.EPZ25\": F is neither a known root"},
  };
  for (const Row& r : rows) {
    const auto s = parse_symbol(r.text);
    ASSERT_FALSE(s) << r.text;
    EXPECT_NE(s.error().message.find(r.message), std::string::npos) << r.text << ": " << s.error().message;
    EXPECT_NE(s.error().message.find("MGC"), std::string::npos) << r.text << ": lists every root";
  }
}

TEST(InstrumentTable, ResolvesOneDigitYearsAgainstTheDatasYear) {
  ContractSymbol s = parse_symbol("ESZ5").value();
  EXPECT_EQ(s.full_year(2025), 2025);
  EXPECT_EQ(s.full_year(2024), 2025);
  EXPECT_EQ(s.full_year(2031), 2035);
  EXPECT_EQ(s.full_year(2029), 2025);
  EXPECT_EQ(parse_symbol("ESZ25").value().full_year(1990), 2025);
  EXPECT_EQ(parse_symbol("ES").value().full_year(2025), 0);
}

TEST(InstrumentTable, TakesTheSymbolFromSierraFileNames) {
  struct Row {
    const char* name;
    const char* root;
    const char* symbol;
  };
  const Row rows[] = {
      {"ESZ25-CME.scid", "ES", "ESZ25-CME"},
      {"/data/sierra/MESM26-CME.scid", "MES", "MESM26-CME"},
      {"ESH5.CME.scid", "ES", "ESH5.CME"},
      {"ESU24_FUT_CME.scid", "ES", "ESU24_FUT_CME"},
      {"NQZ25-CME_5m.scid_BarData.txt", "NQ", "NQZ25-CME"},
      {"ESZ25-CME-BarData.txt", "ES", "ESZ25-CME"},
      {"CLK26-NYMEX_1H.scid_BarData.txt", "CL", "CLK26-NYMEX"},
      {"ES-synthetic.scid", "ES", ""},
      {"ES_tuples.csv", "ES", ""},
  };
  for (const Row& r : rows) {
    const auto s = symbol_from_file_name(r.name);
    ASSERT_TRUE(s) << r.name << ": " << s.error().message;
    ASSERT_TRUE(s->has_value()) << r.name;
    EXPECT_EQ((*s)->root, r.root) << r.name;
    EXPECT_EQ((*s)->text, r.symbol) << r.name;
  }
  // Names that are no symbol: no instrument, no error.
  for (const char* name :
       {"g.scid", "export.txt", "run5.scid", "data2024.scid", "ticks.scid", "/tmp/x/ESZ25"}) {
    const auto s = symbol_from_file_name(name);
    ASSERT_TRUE(s) << name << ": " << s.error().message;
    if (std::string_view(name) == "/tmp/x/ESZ25") {
      ASSERT_TRUE(s->has_value());  // the directory does not count, the name does
      EXPECT_EQ((*s)->root, "ES");
    } else {
      EXPECT_FALSE(s->has_value()) << name << " -> " << (*s)->root;
    }
  }
  // A name shaped like a Sierra symbol with a root we do not know is an error, never ES.
  const auto zb = symbol_from_file_name("ZBZ25-CBOT.scid");
  ASSERT_FALSE(zb);
  EXPECT_NE(zb.error().message.find("ZBZ25-CBOT.scid: the file name names the contract ZBZ25-CBOT: symbol "
                                    "\"ZBZ25-CBOT.scid\": unknown root ZB; known roots: ES, MES"),
            std::string::npos)
      << zb.error().message;
}

TEST(InstrumentTable, AnOptionNamesARootOrASymbol) {
  const auto mes = instrument_from_option("MES").value();
  EXPECT_EQ(mes.root, "MES");
  EXPECT_EQ(mes.tick_value_cents, 125);
  EXPECT_EQ(mes.symbol, "");
  const auto nq = instrument_from_option("NQH26-CME").value();
  EXPECT_EQ(nq.root, "NQ");
  EXPECT_EQ(nq.symbol, "NQH26-CME");
  EXPECT_EQ(nq.value_cents(Ticks(4)), 2000);  // one NQ point is $20
  const auto cl = instrument_from_option("cl").value();
  EXPECT_EQ(cl.root, "CL");
  EXPECT_EQ(cl.to_ticks(75.43).value().count(), 7543);
  EXPECT_FALSE(instrument_from_option("ZN"));
  EXPECT_EQ(describe(mes),
            "MES (Micro E-mini S&P 500, CME; tick 0.25 = $1.25; exchange time America/Chicago)");
  EXPECT_EQ(describe(nq),
            "NQ NQH26-CME (E-mini Nasdaq-100, CME; tick 0.25 = $5.00; exchange time America/Chicago)");
}

}  // namespace
}  // namespace daytrader::core
