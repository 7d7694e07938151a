#include "journal/session_report.h"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <map>
#include <stdexcept>

#include "core/timestamp.h"

namespace daytrader::journal {
namespace {

using core::Cents;
using core::Error;
using core::Result;
using core::Ticks;

// ---- formatting --------------------------------------------------------------------------------

// "2024-03-05 14:30:00.250" (UTC, milliseconds).
std::string format_time(std::int64_t ns) {
  return date::format("%F %T", std::chrono::floor<std::chrono::milliseconds>(core::from_unix_ns(ns)));
}
std::string format_time(const std::optional<std::int64_t>& ns) {
  return ns ? format_time(*ns) : "-";
}

// "2024-03-05"
std::string format_date(std::int32_t days) {
  return date::format("%F", date::sys_days(date::days(days)));
}

// "-$1,234.50"
std::string format_money(Cents cents) {
  const bool negative = cents < 0;
  // Magnitude without overflow at INT64_MIN.
  const std::uint64_t mag =
      negative ? std::uint64_t(0) - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
  std::string dollars = std::to_string(mag / 100);
  std::string grouped;
  for (std::size_t i = 0; i < dollars.size(); ++i) {
    if (i > 0 && (dollars.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(dollars[i]);
  }
  return fmt::format("{}${}.{:02}", negative ? "-" : "", grouped, static_cast<unsigned>(mag % 100));
}

// The decimals a price needs on the tick grid: 0.25 -> 2, 0.5 -> 1, 1 -> 0, 0.03125 -> 5.
int price_decimals(double tick_size) {
  for (int d = 0; d <= 8; ++d) {
    const double x = tick_size * std::pow(10.0, d);
    if (std::fabs(x - std::nearbyint(x)) < 1e-9 * std::max(1.0, x)) return d;
  }
  return 8;
}

class PriceFormat {
 public:
  explicit PriceFormat(double tick_size) : tick_size_(tick_size), decimals_(price_decimals(tick_size)) {}
  [[nodiscard]] std::string operator()(Ticks t) const {
    return fmt::format("{:.{}f}", static_cast<double>(t.count()) * tick_size_, decimals_);
  }
  [[nodiscard]] std::string operator()(const std::optional<Ticks>& t) const { return t ? (*this)(*t) : "-"; }

 private:
  double tick_size_;
  int decimals_;
};

std::string or_dash(const std::optional<std::string>& s) {
  return s && !s->empty() ? *s : "-";
}
std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

// A plain-text table: columns padded to their widest cell, numbers right-aligned.
class Table {
 public:
  struct Column {
    std::string title;
    bool right = false;
  };
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] bool empty() const noexcept { return rows_.empty(); }

  [[nodiscard]] std::string render(std::string_view indent) const {
    std::vector<std::size_t> width(columns_.size(), 0);
    for (std::size_t c = 0; c < columns_.size(); ++c) width[c] = columns_[c].title.size();
    for (const auto& r : rows_)
      for (std::size_t c = 0; c < r.size() && c < width.size(); ++c)
        width[c] = std::max(width[c], r[c].size());
    std::string out;
    const auto line = [&](const std::vector<std::string>& cells) {
      std::string l(indent);
      for (std::size_t c = 0; c < columns_.size(); ++c) {
        const std::string& cell = c < cells.size() ? cells[c] : std::string();
        if (c > 0) l += "  ";
        const std::string pad(width[c] - std::min(width[c], cell.size()), ' ');
        l += columns_[c].right ? pad + cell : cell + pad;
      }
      while (!l.empty() && l.back() == ' ') l.pop_back();
      out += l;
      out += '\n';
    };
    std::vector<std::string> titles;
    for (const auto& col : columns_) titles.push_back(col.title);
    line(titles);
    for (const auto& r : rows_) line(r);
    return out;
  }

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

template <typename T>
T take(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}

std::string yes_no(bool b) {
  return b ? "yes" : "no";
}

// The events the report lists by name: faults, halts, kills and lockouts.
bool is_alarm(std::string_view kind) {
  const auto k = parse_event_kind(kind);
  return k == EventKind::kFault || k == EventKind::kHalt || k == EventKind::kKill || k == EventKind::kLockout;
}

}  // namespace

// ---- round trips -------------------------------------------------------------------------------

RoundTrips reconstruct_round_trips(const std::vector<FillRow>& fills, Cents tick_value_cents,
                                   Cents commission_per_side_cents) {
  RoundTrips out;
  std::deque<OpenLot> lots;  // all on one side
  for (const auto& f : fills) {
    std::int32_t remaining = f.quantity;
    const exec::Side fill_side = f.side == exec::OrderSide::kBuy ? exec::Side::kLong : exec::Side::kShort;
    while (remaining > 0 && !lots.empty() && lots.front().side != fill_side) {
      OpenLot& lot = lots.front();
      const std::int32_t m = std::min(remaining, lot.quantity);
      RoundTrip t;
      t.side = lot.side;
      t.quantity = m;
      t.entry_ns = lot.entry_ns;
      t.exit_ns = f.exchange_ns;
      t.entry_price = lot.entry_price;
      t.exit_price = f.price;
      t.entry_exec_id = lot.exec_id;
      t.exit_exec_id = f.exec_id;
      t.gross_cents = (f.price - lot.entry_price).count() * exec::sign(lot.side) * m * tick_value_cents;
      t.commission_cents = 2 * static_cast<Cents>(m) * commission_per_side_cents;
      t.net_cents = t.gross_cents - t.commission_cents;
      out.trips.push_back(std::move(t));
      lot.quantity -= m;
      remaining -= m;
      if (lot.quantity == 0) lots.pop_front();
    }
    if (remaining > 0) lots.push_back(OpenLot{fill_side, remaining, f.exchange_ns, f.price, f.exec_id});
  }
  out.open.assign(lots.begin(), lots.end());
  return out;
}

// ---- the report --------------------------------------------------------------------------------

Result<std::string> format_session_report(const Journal& journal, std::optional<std::int32_t> trade_date,
                                          double tick_size, Cents tick_value_cents) {
  const std::string name = journal.path().string();
  if (!(tick_size > 0.0) || !std::isfinite(tick_size))
    return Error{fmt::format("{}: report: tick size {} is not positive", name, tick_size)};
  try {
    const auto meta = take(journal.meta());
    Cents commission = 0;
    bool has_commission = false;
    for (const auto& [k, v] : meta) {
      if (k != "commission_per_side_cents") continue;
      std::size_t used = 0;
      try {
        commission = std::stoll(v, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != v.size() || commission < 0)
        return Error{fmt::format(
            "{}: report: meta commission_per_side_cents '{}' is not a non-negative integer", name, v)};
      has_commission = true;
    }
    const PriceFormat price(tick_size);

    std::string out = fmt::format("Journal {}\n", name);
    Table header({{"key"}, {"value"}});
    for (const auto& [k, v] : meta) header.add({k, v});
    out += header.render("  ");
    out += fmt::format("Prices in points (tick size {}, tick value {}); times in UTC; commission {}\n",
                       price(Ticks(1)), format_money(tick_value_cents),
                       has_commission ? fmt::format("{} per contract per side", format_money(commission))
                                      : std::string("none (meta commission_per_side_cents is not set)"));

    const std::vector<std::int32_t> dates =
        trade_date ? std::vector<std::int32_t>{*trade_date} : take(journal.trade_dates());
    if (dates.empty()) out += "\nNo trade dates in the journal\n";

    for (const std::int32_t d : dates) {
      out += fmt::format("\n== Trade date {} ==\n", format_date(d));

      const auto orders = take(journal.orders(d));
      std::map<std::string, const OrderRow*> by_id;
      for (const auto& o : orders) by_id[o.client_order_id] = &o;
      out += fmt::format("\nOrders ({})\n", orders.size());
      if (!orders.empty()) {
        Table t({{"time"},
                 {"role"},
                 {"side"},
                 {"type"},
                 {"qty", true},
                 {"price", true},
                 {"status"},
                 {"filled", true},
                 {"avg fill", true},
                 {"client id"},
                 {"server id"},
                 {"parent"},
                 {"info"}});
        for (const auto& o : orders)
          t.add({format_time(o.created_wall_ns), std::string(to_string(o.role)),
                 std::string(exec::to_string(o.side)), std::string(to_string(o.type)),
                 std::to_string(o.quantity), price(o.price), std::string(to_string(o.status)),
                 std::to_string(o.filled_quantity), price(o.avg_fill_price), o.client_order_id,
                 or_dash(o.server_order_id), or_dash(o.parent_client_order_id), or_dash(o.info)});
        out += t.render("  ");
      }

      const auto fills = take(journal.fills(d));
      const auto role_of = [&](const std::optional<std::string>& id) -> std::string {
        if (!id) return "-";
        const auto it = by_id.find(*id);
        return it == by_id.end() ? "-" : std::string(to_string(it->second->role));
      };
      std::map<std::string, const FillRow*> fill_by_exec;
      for (const auto& f : fills) fill_by_exec[f.exec_id] = &f;
      out += fmt::format("\nFills ({})\n", fills.size());
      if (!fills.empty()) {
        Table t({{"time"},
                 {"side"},
                 {"qty", true},
                 {"price", true},
                 {"role"},
                 {"client id"},
                 {"server id"},
                 {"exec id"},
                 {"source"}});
        for (const auto& f : fills)
          t.add({format_time(f.exchange_ns), std::string(exec::to_string(f.side)), std::to_string(f.quantity),
                 price(f.price), role_of(f.client_order_id), or_dash(f.client_order_id),
                 or_dash(f.server_order_id), f.exec_id, std::string(to_string(f.source))});
        out += t.render("  ");
      }

      const RoundTrips rt = reconstruct_round_trips(fills, tick_value_cents, commission);
      out += fmt::format("\nRound trips ({})\n", rt.trips.size());
      Cents gross = 0, fees = 0, net = 0;
      if (!rt.trips.empty()) {
        Table t({{"#", true},
                 {"side"},
                 {"qty", true},
                 {"entry time"},
                 {"entry", true},
                 {"exit time"},
                 {"exit", true},
                 {"exit by"},
                 {"ticks", true},
                 {"gross", true},
                 {"commission", true},
                 {"net", true}});
        int n = 0;
        for (const auto& trip : rt.trips) {
          const auto exit_fill = fill_by_exec.find(trip.exit_exec_id);
          const std::string exit_by = exit_fill == fill_by_exec.end()
                                          ? std::string("-")
                                          : role_of(exit_fill->second->client_order_id);
          const std::int64_t ticks = (trip.exit_price - trip.entry_price).count() * exec::sign(trip.side);
          t.add({std::to_string(++n), std::string(exec::to_string(trip.side)), std::to_string(trip.quantity),
                 format_time(trip.entry_ns), price(trip.entry_price), format_time(trip.exit_ns),
                 price(trip.exit_price), exit_by, fmt::format("{:+}", ticks), format_money(trip.gross_cents),
                 format_money(trip.commission_cents), format_money(trip.net_cents)});
          gross += trip.gross_cents;
          fees += trip.commission_cents;
          net += trip.net_cents;
        }
        out += t.render("  ");
      }
      if (rt.open.empty()) {
        out += "  Open at the end of the fills: none\n";
      } else {
        for (const auto& lot : rt.open)
          out += fmt::format("  Open at the end of the fills: {} {} @ {} since {} (exec {})\n",
                             exec::to_string(lot.side), lot.quantity, price(lot.entry_price),
                             format_time(lot.entry_ns), lot.exec_id);
      }
      out += fmt::format("\nDay P&L: {} round trips, gross {}, commission {}, net {}\n", rt.trips.size(),
                         format_money(gross), format_money(fees), format_money(net));

      const auto state = take(journal.load_day_state(d));
      if (!state) {
        out += "Risk state: none saved for this trade date\n";
      } else {
        out += fmt::format("Risk state: lockout {}, killed {}, halted {}{}\n", state->lockout,
                           yes_no(state->killed), yes_no(state->halted),
                           state->halted && !state->halt_reason.empty()
                               ? fmt::format(" ({})", state->halt_reason)
                               : std::string());
        out += fmt::format(
            "  start balance {}, realized {}, high-water mark {}, orders sent {}, trades {}, last bar close "
            "{}, "
            "saved {}\n",
            format_money(state->start_balance_cents), format_money(state->realized_cents),
            format_money(state->high_water_mark_cents), state->orders_sent, state->trades,
            format_time(state->last_bar_close_ns), format_time(state->updated_wall_ns));
      }

      const auto events = take(journal.events_on(d));
      Table t({{"time"}, {"seq", true}, {"kind"}, {"text"}});
      for (const auto& e : events) {
        if (is_alarm(e.kind)) t.add({format_time(e.wall_ns), std::to_string(e.seq), e.kind, e.text});
      }
      if (t.empty()) {
        out += "\nFaults, halts, kills and lockouts: none\n";
      } else {
        out += "\nFaults, halts, kills and lockouts\n";
        out += t.render("  ");
      }
    }
    // Faults of no trade date (e.g. before the session was known), in a full report only.
    if (!trade_date) {
      Table t({{"time"}, {"seq", true}, {"kind"}, {"text"}});
      for (const auto& e : take(journal.events(1, 0))) {
        if (!e.trade_date && is_alarm(e.kind))
          t.add({format_time(e.wall_ns), std::to_string(e.seq), e.kind, e.text});
      }
      if (!t.empty()) {
        out += "\n== Faults, halts, kills and lockouts without a trade date ==\n";
        out += t.render("  ");
      }
    }
    return out;
  } catch (const std::exception& e) {
    // take() carries the journal's own message, which already names the file.
    const std::string what = e.what();
    if (what.rfind(name, 0) == 0) return Error{what};
    return Error{fmt::format("{}: report: {}", name, what)};
  }
}

}  // namespace daytrader::journal
