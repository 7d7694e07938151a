#pragma once
// The CME Group futures daytrader knows, and Sierra Chart / CME symbols -> instruments.
//
// Every instrument here trades on CME Globex 17:00-16:00 Central time, Sunday to Friday, so all
// share SessionCalendar::cme_globex(); they differ in tick size, tick value and regular trading
// hours (RTH). The table with its sources is in instrument_table.cpp and the README.
//
// Symbols: ROOT + month code + a 1- or 2-digit year, then anything after a separator, in the
// forms Sierra Chart's data services use: "ESZ25-CME", "ESZ5", "ESH5.CME", "MNQH26_FUT_CME",
// "MESM26.CME". A known root alone, or before a separator, names the instrument without a
// contract ("ES", "ES-synthetic"). Case does not matter.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/instrument.h"
#include "core/result.h"
#include "core/session_calendar.h"

namespace daytrader::core {

struct InstrumentSpec {
  const char* root;             // the CME Globex product code, "ES"
  const char* name;             // "E-mini S&P 500"
  const char* exchange;         // the exchange that lists it: CME, CBOT, NYMEX or COMEX
  double tick_size;             // price units per tick (index points, dollars per barrel or ounce)
  Cents tick_value_cents;       // one tick, one contract
  const char* time_zone;        // exchange time: CME quotes Globex hours in Central time
  LocalTimeOfDay globex_open;   // the session opens at this time the evening before its trade date
  LocalTimeOfDay globex_close;  // ... and closes at this time on it
  LocalTimeOfDay rth_open;      // regular trading hours, inside the session
  LocalTimeOfDay rth_close;
  const char* months;  // listed contract month codes ("HMUZ": quarterly)

  // The instrument, with `symbol` recorded ("" = root only).
  [[nodiscard]] Instrument instrument(std::string symbol = {}) const;
};

// Every known instrument, in a fixed order (equity index, energy, metals).
[[nodiscard]] std::span<const InstrumentSpec> instrument_table() noexcept;
// The instrument with this root (case-insensitive), or nullptr.
[[nodiscard]] const InstrumentSpec* find_instrument(std::string_view root) noexcept;
// "ES, MES, NQ, ..." for messages.
[[nodiscard]] std::string known_roots();

// A futures month code (F G H J K M N Q U V X Z) -> 1..12, or 0.
[[nodiscard]] int month_of_code(char code) noexcept;

struct ContractSymbol {
  std::string text;     // the symbol proper: the contract and its exchange suffix, "ESZ25-CME"
  std::string root;     // "ES", upper case
  char month_code = 0;  // 'Z'; 0 when the symbol names only the root
  int month = 0;        // 1..12; 0 when only the root
  int year = 0;         // as written: 25, or 5 for a one-digit year
  int year_digits = 0;  // 2 or 1; 0 when only the root
  [[nodiscard]] bool is_contract() const noexcept { return month_code != 0; }
  // The calendar year: 2000 + a two-digit year; a one-digit year is ambiguous across decades and
  // is resolved to the year ending in that digit nearest `reference_year` (the data's own year).
  [[nodiscard]] int full_year(int reference_year) const noexcept;
};

// Parses a symbol (see the top of this file). An unknown root, a month the root does not list,
// or text that is no symbol at all is an error naming the text and listing the known roots.
[[nodiscard]] Result<ContractSymbol> parse_symbol(std::string_view text);

// The symbol a file name starts with, as Sierra Chart names its files ("ESZ25-CME.scid",
// "NQZ25-CME_5m.scid_BarData.txt", "ES-synthetic.scid"): nullopt when the name starts with no
// symbol ("g.scid", "export.txt"); an error when it names a contract with an exchange suffix but an
// unknown root ("ZBZ25-CBOT.scid"), so such a file is never taken for ES.
[[nodiscard]] Result<std::optional<ContractSymbol>> symbol_from_file_name(std::string_view file_name);

// The instrument an option names: a root ("MES") or a symbol ("MESM26-CME").
[[nodiscard]] Result<Instrument> instrument_from_option(std::string_view root_or_symbol);

// The session calendar of an instrument: its exchange time zone and Globex hours (an unknown root
// gets CME Globex's 17:00-16:00). Every known instrument gets SessionCalendar::cme_globex().
[[nodiscard]] const SessionCalendar& session_calendar_of(const Instrument& instrument);
// The start of the instrument's regular trading hours (08:30 for an unknown root, as for ES).
[[nodiscard]] LocalTimeOfDay rth_open_of(const Instrument& instrument) noexcept;

// "MES (Micro E-mini S&P 500, CME; tick 0.25 = $1.25)" for messages and `inspect`.
[[nodiscard]] std::string describe(const Instrument& instrument);

}  // namespace daytrader::core
