// The sweep file (config/sweep_config.h).

#include "config/sweep_config.h"

#include <sstream>

#include <fmt/format.h>

#include "config/toml_fields.h"

namespace daytrader::config {

namespace {

// A TOML value as --set takes it: 0.05 (the shortest text that reads back as the same double,
// not toml++'s 0.050000000000000003), 3, true, "rolling", [64, 64].
std::string value_text(const toml::node& n) {
  if (const auto v = n.value_exact<double>()) return fmt::format("{}", *v);
  if (const auto v = n.value_exact<std::int64_t>()) return fmt::format("{}", *v);
  if (const auto v = n.value_exact<bool>()) return *v ? "true" : "false";
  if (const toml::array* a = n.as_array()) {
    std::string s = "[";
    for (std::size_t i = 0; i < a->size(); ++i) s += (i == 0 ? "" : ", ") + value_text(*a->get(i));
    return s + "]";
  }
  std::ostringstream out;  // a string (quoted and escaped as TOML), a date or a table
  out << toml::table{{"v", n}};
  std::string s = out.str();
  const auto eq = s.find("= ");
  s = eq == std::string::npos ? s : s.substr(eq + 2);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string where(const std::string& source, const toml::node& n) {
  return config::location(source, n.source());
}

}  // namespace

std::string SweepPoint::label() const {
  if (grid_sets.empty()) return "base";
  std::string s;
  for (const auto& g : grid_sets) s += (s.empty() ? "" : " ") + g;
  return s;
}

core::Result<SweepConfig> load_sweep_config(const std::string& path, const std::vector<std::string>& extra_sets) {
  auto text = read_text_file(path);
  if (!text) return text.error();
  auto root = parse_toml(*text, path);
  if (!root) return root.error();
  SweepConfig c;
  c.source = path;
  for (const auto& [key, node] : *root) {
    if (key.str() != "sweep" && key.str() != "grid")
      return core::Error{fmt::format("{}: unknown section {} (known: sweep, grid)", where(path, node), key.str())};
  }
  const toml::table* sweep = (*root)["sweep"].as_table();
  if (sweep == nullptr) return core::Error{fmt::format("{}: no [sweep] section (data, run_config, out, set)", path)};
  for (const auto& [key, node] : *sweep) {
    const std::string k(key.str());
    const std::string at = fmt::format("{}: sweep.{}", where(path, node), k);
    if (k == "data" || k == "run_config" || k == "out") {
      const auto v = node.value_exact<std::string>();
      if (!v) return type_error(at, "a string", node);
      (k == "data" ? c.data : k == "out" ? c.out : c.run_config) = *v;
    } else if (k == "set") {
      const toml::array* a = node.as_array();
      if (a == nullptr) return type_error(at, "a list of strings like \"ppo.n_steps=256\"", node);
      for (const auto& e : *a) {
        const auto v = e.value_exact<std::string>();
        if (!v) return type_error(at, "a list of strings like \"ppo.n_steps=256\"", e);
        c.sets.push_back(*v);
      }
    } else {
      return core::Error{fmt::format("{}: unknown key sweep.{} (known: data, run_config, out, set)", where(path, node), k)};
    }
  }
  if (c.data.empty()) return core::Error{fmt::format("{}: sweep.data is missing: the dataset to train on", path)};
  if (c.out.empty()) return core::Error{fmt::format("{}: sweep.out is missing: the sweep folder", path)};
  if (const toml::table* grid = (*root)["grid"].as_table()) {
    for (const auto& [key, node] : *grid) {
      SweepAxis axis;
      axis.key = std::string(key.str());
      const std::string at = fmt::format("{}: grid.\"{}\"", where(path, node), axis.key);
      const toml::array* a = node.as_array();
      if (a == nullptr || a->empty()) return type_error(at, "a non-empty list of values", node);
      for (const auto& e : *a) axis.values.push_back(value_text(e));
      c.grid.push_back(std::move(axis));
    }
  }
  c.sets.insert(c.sets.end(), extra_sets.begin(), extra_sets.end());
  return c;
}

core::Result<std::vector<SweepPoint>> sweep_points(const SweepConfig& c) {
  std::size_t count = 1;
  for (const auto& axis : c.grid) {
    count *= axis.values.size();
    if (count > 10'000)
      return core::Error{fmt::format("{}: the grid has more than 10,000 settings; sweep fewer at a time", c.source)};
  }
  std::vector<SweepPoint> points;
  for (std::size_t i = 0; i < count; ++i) {
    SweepPoint p;
    p.number = i + 1;
    std::size_t rest = i;
    for (std::size_t a = c.grid.size(); a-- > 0;) {  // the first axis varies slowest
      const auto& axis = c.grid[a];
      p.grid_sets.insert(p.grid_sets.begin(), axis.key + "=" + axis.values[rest % axis.values.size()]);
      rest /= axis.values.size();
    }
    std::vector<std::string> sets = c.sets;
    sets.insert(sets.end(), p.grid_sets.begin(), p.grid_sets.end());
    auto run = load_run_config(c.run_config, sets);
    if (!run) return core::Error{fmt::format("{}: point {} ({}): {}", c.source, p.number, p.label(), run.error().message)};
    p.run = std::move(run).value();
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace daytrader::config
