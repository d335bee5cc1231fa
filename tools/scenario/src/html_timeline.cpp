// The HTML timeline: one self-contained page (inline CSS, SVG and a little JS; nothing fetched)
// that a person reads after a run. Every string that came from a scenario, a device or the
// engine goes through escape(): device names and texts are data, never markup.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iocpsim/engine/completion_row.hpp"
#include "iocpsim/scenario/timeline.hpp"

namespace iocpsim::scenario {
namespace detail {

extern const char* const kSemanticsRows;  // docs/IOCP-SEMANTICS.md (semantics_rows.cpp.in)

using Entry = TimelineEntry;

// The diagram's geometry, in SVG pixels.
constexpr int kAxisWidth = 84;     // the time labels on the left
constexpr int kLaneWidth = 176;    // one column per lane
constexpr int kTopY = 44;          // first row, below the lane titles
constexpr int kRowPx = 15;         // every entry gets at least this much height
constexpr int kStretchMaxPx = 24;  // extra height for time passing, before a gap is compressed
constexpr std::int64_t kUsPerStretchPx = 2'000;
constexpr std::int64_t kGapUs = 100'000;  // longer idle time is drawn as one compressed gap
constexpr int kGapPx = 26;
constexpr std::size_t kLabelChars = 26;  // what fits beside a lane at 10px
constexpr std::size_t kFaultLabelChars = 44;
constexpr std::size_t kDiagramRowsMax = 3'000;  // rows; the table below always has every entry

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not a valid one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF)
    n = 2;
  else if (b >= 0xE0 && b <= 0xEF)
    n = 3;
  else if (b >= 0xF0 && b <= 0xF4)
    n = 4;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// Text and attribute values alike (attributes are always double-quoted). Bytes that are not
// UTF-8 and control characters become U+FFFD, so a peer's bytes cannot break the page either.
std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const std::size_t n = utf8_length(s, i);
    if (n == 0 || (n == 1 && static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
      out += "\xEF\xBF\xBD";
      i += n == 0 ? 1 : n;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

// At most `chars` code points, with an ellipsis when cut (never splits a UTF-8 sequence).
std::string shorten(std::string_view s, std::size_t chars) {
  std::size_t i = 0;
  for (std::size_t count = 0; i < s.size() && count < chars; ++count) {
    i += std::max<std::size_t>(1, utf8_length(s, i));
  }
  if (i >= s.size()) return std::string(s);
  return std::string(s.substr(0, i)) + "\xE2\x80\xA6";
}

std::string format_ms(std::int64_t t_us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(t_us) / 1000.0);
  return buf;
}

std::string format_gap(std::int64_t gap_us) {
  char buf[48];
  if (gap_us >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.2f s idle", static_cast<double>(gap_us) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f ms idle", static_cast<double>(gap_us) / 1e3);
  }
  return buf;
}

const char* source_name(Entry::Source s) { return to_string(s); }

// By the first word, so that "pass (failed as expected)" of a negative scenario shows green.
std::string verdict_class(const std::string& verdict) {
  if (verdict.starts_with("pass")) return "pass";
  if (verdict.starts_with("fail")) return "fail";
  return "other";  // error, timeout, or anything new
}

// The lanes: engine, shim, then every device in file order and any other device an entry names.
struct Lanes {
  std::vector<std::string> names;
  std::map<std::string, std::size_t> device_lane;

  explicit Lanes(const Timeline& t) {
    names = {"engine", "shim"};
    for (const auto& d : t.devices) add(d);
    for (const auto& e : t.entries) {
      if (!e.device.empty()) add(e.device);
    }
  }
  void add(const std::string& device) {
    if (device_lane.count(device) != 0) return;
    device_lane[device] = names.size();
    names.push_back(device);
  }
  static int x(std::size_t lane) { return kAxisWidth + static_cast<int>(lane) * kLaneWidth + kLaneWidth / 2; }
  int device_x(const std::string& device) const {
    const auto it = device_lane.find(device);
    return it == device_lane.end() ? x(0) : x(it->second);
  }
  // Where an entry's marker goes: its source's lane (a device's own lane for device entries).
  int x_of(const Entry& e) const {
    switch (e.source) {
      case Entry::Source::shim:
        return x(1);
      case Entry::Source::device:
        return device_x(e.device);
      case Entry::Source::engine:
      case Entry::Source::runner:
        break;
    }
    return x(0);
  }
};

struct Svg {
  std::string out;
  std::string id_prefix;  // unique per section: arrowheads and row links
};

std::string row_id(const std::string& prefix, std::size_t index) { return prefix + "-e" + std::to_string(index); }

// A labelled mark linking to the entry's table row; the full text is the hover title.
void open_link(Svg& svg, std::size_t index, const Entry& e) {
  svg.out += "<a href=\"#" + row_id(svg.id_prefix, index) + "\"><title>" + escape(e.what) +
             (e.text.empty() ? "" : ": " + escape(e.text)) + "</title>";
}

void label(Svg& svg, int x, int y, const std::string& cls, std::string_view text, std::size_t chars) {
  svg.out += "<text class=\"" + cls + "\" x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\">" +
             escape(shorten(text, chars)) + "</text>";
}

void draw_message(Svg& svg, const Lanes& lanes, const Entry& e, int y) {
  const int host_x = Lanes::x(0);
  const int device_x = lanes.device_x(e.device);
  const bool to_device = e.direction == Entry::Direction::host_to_device;
  const int from = to_device ? host_x : device_x;
  const int to = to_device ? device_x : host_x;
  const std::string cls = e.fault ? "msg fault" : (to_device ? "msg down" : "msg up");
  svg.out += "<line class=\"" + cls + "\" x1=\"" + std::to_string(from) + "\" y1=\"" + std::to_string(y) + "\" x2=\"" +
             std::to_string(to) + "\" y2=\"" + std::to_string(y) + "\" marker-end=\"url(#" + svg.id_prefix +
             (e.fault ? "-ahf" : "-ah") + ")\"/>";
  const int mid = (from + to) / 2;
  svg.out += "<text class=\"msglabel\" text-anchor=\"middle\" x=\"" + std::to_string(mid) + "\" y=\"" +
             std::to_string(y - 3) + "\">" + escape(shorten(e.message, kLabelChars)) + "</text>";
}

// What a fault label must show within its few characters: the rule and its outcome for a shim
// call (the journal puts them last, after the handles), the step kind for a device.
std::string fault_text(const Entry& e) {
  const auto string_field = [&](const char* key) {
    const auto it = e.fields.find(key);
    return it != e.fields.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (const auto outcome = string_field("outcome"); !outcome.empty()) {
    const auto rule = e.fields.find("rule");
    return e.what + ": " + (rule != e.fields.end() ? "rule " + rule->dump() + ": " : "") + outcome;
  }
  if (const auto kind = string_field("kind"); !kind.empty()) return e.what + ": " + kind;
  const auto open = e.text.rfind('[');
  if (open != std::string::npos && !e.text.empty() && e.text.back() == ']') {
    return e.what + ": " + e.text.substr(open + 1, e.text.size() - open - 2);
  }
  return e.what + (e.text.empty() ? "" : ": " + e.text);
}

void draw_fault(Svg& svg, int x, const Entry& e, int y) {
  svg.out +=
      "<circle class=\"fault-marker\" cx=\"" + std::to_string(x) + "\" cy=\"" + std::to_string(y) + "\" r=\"5\"/>";
  label(svg, x + 8, y + 4, "faultlabel", fault_text(e), kFaultLabelChars);
}

void draw_mark(Svg& svg, int x, const Entry& e, int y, std::size_t repeats) {
  const std::string ys = std::to_string(y);
  switch (e.source) {
    case Entry::Source::shim:
      svg.out += "<line class=\"tick\" x1=\"" + std::to_string(x - 6) + "\" y1=\"" + ys + "\" x2=\"" +
                 std::to_string(x + 6) + "\" y2=\"" + ys + "\"/>";
      break;
    case Entry::Source::runner:
      svg.out += "<rect class=\"action\" x=\"" + std::to_string(x - 4) + "\" y=\"" + std::to_string(y - 4) +
                 "\" width=\"8\" height=\"8\" transform=\"rotate(45 " + std::to_string(x) + " " + ys + ")\"/>";
      break;
    case Entry::Source::device:
      svg.out += "<rect class=\"step\" x=\"" + std::to_string(x - 3) + "\" y=\"" + std::to_string(y - 3) +
                 "\" width=\"6\" height=\"6\"/>";
      break;
    case Entry::Source::engine:
      svg.out += "<circle class=\"event\" cx=\"" + std::to_string(x) + "\" cy=\"" + ys + "\" r=\"3\"/>";
      break;
  }
  // The count survives shortening: "GetQueuedCompletionStatusEx" is already a lane wide.
  const std::string times = repeats > 1 ? " \xC3\x97" + std::to_string(repeats) : "";
  const std::string& name = e.label.empty() ? e.what : e.label;
  label(svg, x + 8, y + 4, std::string("lbl-") + source_name(e.source),
        shorten(name, (e.label.empty() ? kLabelChars : kLabelChars * 2) - times.size() / 2) + times, kLabelChars * 2);
}

// One diagram row: an entry, or a run of identical plain shim calls drawn once ("WSARecv x3").
struct Row {
  std::size_t first = 0;
  std::size_t count = 1;
  int y = 0;
  std::int64_t gap_us = 0;  // > 0: a compressed idle gap is drawn above the row
};

bool plain_call(const Entry& e) {
  return e.source == Entry::Source::shim && !e.fault && e.direction == Entry::Direction::none;
}

bool repeats(const Entry& a, const Entry& b) {
  return plain_call(a) && plain_call(b) && a.device == b.device && a.what == b.what && b.t_us - a.t_us <= kGapUs;
}

void draw_row(Svg& svg, const Lanes& lanes, const std::vector<Entry>& entries, const Row& row) {
  const Entry& e = entries[row.first];
  open_link(svg, row.first, e);
  if (e.direction != Entry::Direction::none && !e.device.empty()) {
    draw_message(svg, lanes, e, row.y);
    if (e.fault) draw_fault(svg, lanes.x_of(e), e, row.y);
  } else if (e.fault) {
    draw_fault(svg, lanes.x_of(e), e, row.y);
  } else {
    draw_mark(svg, lanes.x_of(e), e, row.y, row.count);
  }
  svg.out += "</a>";
}

void draw_gap(Svg& svg, int width, int y, std::int64_t gap_us) {
  svg.out += "<rect class=\"gap\" x=\"" + std::to_string(kAxisWidth) + "\" y=\"" + std::to_string(y - kGapPx + 6) +
             "\" width=\"" + std::to_string(width - kAxisWidth) + "\" height=\"" + std::to_string(kGapPx - 12) + "\"/>";
  svg.out += "<text class=\"gaplabel\" x=\"" + std::to_string(kAxisWidth + 4) + "\" y=\"" +
             std::to_string(y - kGapPx / 2 + 4) + "\">" + escape(format_gap(gap_us)) + "</text>";
}

// Rows advance with time, but never less than a row and never more than a compressed gap.
std::vector<Row> layout_rows(const std::vector<Entry>& entries, std::size_t rows_max, std::size_t& entries_drawn) {
  std::vector<Row> rows;
  std::size_t i = 0;
  for (; i < entries.size(); ++i) {
    if (!rows.empty() && repeats(entries[rows.back().first + rows.back().count - 1], entries[i])) {
      ++rows.back().count;
      continue;
    }
    if (rows.size() == rows_max) break;
    Row row{i, 1, kTopY, 0};
    if (!rows.empty()) {
      const std::int64_t dt = entries[i].t_us - entries[i - 1].t_us;
      row.gap_us = dt > kGapUs ? dt : 0;
      row.y =
          rows.back().y + (dt > kGapUs ? kGapPx
                                       : kRowPx + static_cast<int>(std::min<std::int64_t>(
                                                      kStretchMaxPx, std::max<std::int64_t>(0, dt) / kUsPerStretchPx)));
    }
    rows.push_back(row);
  }
  entries_drawn = i;
  return rows;
}

void draw_lanes(Svg& svg, const Lanes& lanes, int height) {
  for (std::size_t i = 0; i < lanes.names.size(); ++i) {
    const int x = Lanes::x(i);
    const std::string cls = i == 0 ? "engine" : (i == 1 ? "shim" : "device");
    svg.out += "<line class=\"lane " + cls + "\" x1=\"" + std::to_string(x) + "\" y1=\"28\" x2=\"" + std::to_string(x) +
               "\" y2=\"" + std::to_string(height - 8) + "\"/>";
    svg.out += "<text class=\"lanetitle\" text-anchor=\"middle\" x=\"" + std::to_string(x) + "\" y=\"18\">" +
               escape(shorten(lanes.names[i], kLabelChars)) + "<title>" + escape(lanes.names[i]) + "</title></text>";
  }
}

void draw_defs(Svg& svg) {
  svg.out += "<defs>";
  for (const char* kind : {"-ah", "-ahf"}) {
    svg.out += "<marker id=\"" + svg.id_prefix + kind +
               "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
               "orient=\"auto-start-reverse\"><path class=\"" +
               (std::string_view(kind) == "-ah" ? "head" : "head fault") + "\" d=\"M 0 0 L 10 5 L 0 10 z\"/></marker>";
  }
  svg.out += "</defs>";
}

// The marks of each entry, and which mark is the first failure (the page's anchor for it).
struct MarkIndex {
  std::map<std::size_t, std::vector<std::size_t>> by_entry;  // entry -> indices into Timeline::marks
  std::optional<std::size_t> first_failure;

  explicit MarkIndex(const Timeline& t) {
    for (std::size_t i = 0; i < t.marks.size(); ++i) {
      const TimelineMark& m = t.marks[i];
      if (m.kind == TimelineMark::Kind::failed && !first_failure) first_failure = i;
      if (m.entry >= 0 && static_cast<std::size_t>(m.entry) < t.entries.size()) {
        by_entry[static_cast<std::size_t>(m.entry)].push_back(i);
      }
    }
  }
};

const char* mark_symbol(TimelineMark::Kind k) {
  switch (k) {
    case TimelineMark::Kind::matched:
      return "\xE2\x9C\x93";  // check mark
    case TimelineMark::Kind::failed:
      return "\xE2\x9C\x97";  // ballot x
    case TimelineMark::Kind::nearest:
      return "\xE2\x89\x88";  // almost equal
  }
  return "?";
}

// "expect.events[2]" without its "expect." — the diagram has little room.
std::string short_path(const std::string& path) { return path.starts_with("expect.") ? path.substr(7) : path; }

std::string mark_text(const TimelineMark& m) {
  switch (m.kind) {
    case TimelineMark::Kind::matched:
      return short_path(m.path);
    case TimelineMark::Kind::failed:
      return short_path(m.path) + ": " + m.text;
    case TimelineMark::Kind::nearest:
      return "nearest to " + short_path(m.path) + ": " + m.text;
  }
  return m.text;
}

constexpr int kMarksWidth = 560;  // the column of expectation marks right of the lanes
constexpr std::size_t kMarkChars = 90;

void draw_marks(Svg& svg, const Timeline& t, const MarkIndex& index, int x, const Row& row) {
  int dy = 0;
  for (std::size_t e = row.first; e < row.first + row.count; ++e) {
    const auto it = index.by_entry.find(e);
    if (it == index.by_entry.end()) continue;
    for (const std::size_t mi : it->second) {
      const TimelineMark& m = t.marks[mi];
      const std::string cls = std::string("mark mark-") + to_string(m.kind);
      const bool anchor = index.first_failure == mi;
      svg.out += "<a href=\"#" + svg.id_prefix + "-x" + std::to_string(mi) + "\"><text class=\"" + cls + "\"" +
                 (anchor ? " id=\"" + svg.id_prefix + "-failure\"" : std::string()) + " x=\"" + std::to_string(x) +
                 "\" y=\"" + std::to_string(row.y + 4 + dy) + "\">" +
                 escape(shorten(std::string(mark_symbol(m.kind)) + " " + mark_text(m), kMarkChars)) + "<title>" +
                 escape(m.path + ": " + m.text) + "</title></text></a>";
      dy += 11;
    }
  }
}

std::string sequence_diagram(const Timeline& t, const std::string& id_prefix, const MarkIndex& marks) {
  const Lanes lanes(t);
  std::size_t drawn = 0;
  const auto rows = layout_rows(t.entries, kDiagramRowsMax, drawn);
  const int lanes_right = kAxisWidth + static_cast<int>(lanes.names.size()) * kLaneWidth;
  const int width = lanes_right + 160 + (t.marks.empty() ? 0 : kMarksWidth);
  const int height = (rows.empty() ? kTopY : rows.back().y) + 24;
  Svg svg{"", id_prefix};
  svg.out += "<svg class=\"seq\" width=\"" + std::to_string(width) + "\" height=\"" + std::to_string(height) +
             "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) + "\" role=\"img\">";
  draw_defs(svg);
  draw_lanes(svg, lanes, height);
  for (const Row& row : rows) {
    if (row.gap_us > 0) draw_gap(svg, width, row.y, row.gap_us);
    svg.out += "<text class=\"time\" x=\"4\" y=\"" + std::to_string(row.y + 4) + "\">" +
               format_ms(t.entries[row.first].t_us) + "</text>";
    draw_row(svg, lanes, t.entries, row);
    draw_marks(svg, t, marks, lanes_right + 160, row);
  }
  svg.out += "</svg>";
  if (drawn < t.entries.size()) {
    svg.out += "<p class=\"note\">The diagram shows the first " + std::to_string(drawn) + " of " +
               std::to_string(t.entries.size()) + " entries; the table below has them all.</p>";
  }
  return svg.out;
}

std::string direction_text(const Entry& e) {
  switch (e.direction) {
    case Entry::Direction::host_to_device:
      return "host \xE2\x86\x92 device ";
    case Entry::Direction::device_to_host:
      return "device \xE2\x86\x92 host ";
    case Entry::Direction::none:
      break;
  }
  return "";
}

std::string fields_json(const nlohmann::json& fields) {
  if (fields.is_null() || (fields.is_object() && fields.empty())) return "";
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Row ids of the semantics table (R4, R5b, R16b) in escaped text become links to the page's list
// of rows (only for ids that list holds).
std::string link_rows(const std::string& escaped, const std::string& prefix,
                      const std::map<std::string, std::string>& rows) {
  std::string out;
  std::size_t i = 0;
  while (i < escaped.size()) {
    const bool start = escaped[i] == 'R' && (i == 0 || !std::isalnum(static_cast<unsigned char>(escaped[i - 1])));
    std::size_t j = i + 1;
    while (start && j < escaped.size() && std::isdigit(static_cast<unsigned char>(escaped[j]))) ++j;
    if (start && j > i + 1 && j < escaped.size() && escaped[j] >= 'b' && escaped[j] <= 'd') ++j;
    const bool word_end = j >= escaped.size() || !std::isalnum(static_cast<unsigned char>(escaped[j]));
    if (start && j > i + 1 && word_end && rows.count(escaped.substr(i, j - i)) != 0) {
      const std::string id = escaped.substr(i, j - i);
      out += "<a class=\"row-link\" href=\"#" + prefix + "-row-" + id + "\">" + id + "</a>";
      i = j;
      continue;
    }
    out += escaped[i++];
  }
  return out;
}

std::string table_row(const std::string& prefix, std::size_t index, const Entry& e, const Timeline& t,
                      const MarkIndex& marks, const std::map<std::string, std::string>& rows) {
  const char* src = source_name(e.source);
  std::string expect;
  bool failure = false;
  if (const auto it = marks.by_entry.find(index); it != marks.by_entry.end()) {
    for (const std::size_t mi : it->second) {
      const TimelineMark& m = t.marks[mi];
      failure = failure || marks.first_failure == mi;
      expect += "<span class=\"mark mark-" + std::string(to_string(m.kind)) + "\">" + mark_symbol(m.kind) + " " +
                escape(mark_text(m)) + "</span> ";
    }
  }
  std::string row = "<tr id=\"" + row_id(prefix, index) + "\" data-src=\"" + src + "\" class=\"src-" + src +
                    (e.fault ? " fault" : "") + (failure ? " failure-row" : "") + "\">";
  row += "<td class=\"num\">" + format_ms(e.t_us) + "</td><td>" + src + "</td><td>" + escape(e.device) + "</td><td>" +
         escape(e.what) + (e.fault ? " <span class=\"badge\">fault</span>" : "") + "</td><td>" +
         escape(direction_text(e) + e.message) + "</td><td>" + link_rows(escape(e.text), prefix, rows) +
         "</td><td><code>" + link_rows(escape(fields_json(e.fields)), prefix, rows) + "</code></td><td>" + expect +
         "</td></tr>\n";
  return row;
}

// The rows of docs/IOCP-SEMANTICS.md's table, by id: "what happens — ret … — what the engine
// does", without the Markdown.
std::map<std::string, std::string> semantics_rows() {
  std::map<std::string, std::string> rows;
  const std::string_view doc = kSemanticsRows;
  const std::string_view anchor = "| <a id=\"r";
  for (std::size_t at = doc.find(anchor); at != std::string_view::npos; at = doc.find(anchor, at + 1)) {
    const std::size_t end = doc.find('\n', at);
    const std::string_view line = doc.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    std::vector<std::string> cells;
    std::size_t from = 1;
    for (std::size_t bar = line.find('|', from); bar != std::string_view::npos; bar = line.find('|', from)) {
      std::string cell(line.substr(from, bar - from));
      std::erase_if(cell, [](char c) { return c == '*' || c == '`'; });
      const auto first = cell.find_first_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, cell.find_last_not_of(' ') - first + 1));
      from = bar + 1;
    }
    // cells: id (after its anchor), what happens, ret, ov, n, last error, Ex Internal, what the engine does
    if (cells.size() < 8) continue;
    const std::size_t close = cells[0].find("</a>");
    const std::string id = close == std::string::npos ? cells[0] : cells[0].substr(close + 4);
    std::string text = cells[1];
    const char* labels[] = {"ret", "ov", "n", "last error", "Ex Internal"};
    for (std::size_t k = 0; k < 5; ++k) {
      if (!cells[2 + k].empty() && cells[2 + k] != "—") text += std::string("; ") + labels[k] + ": " + cells[2 + k];
    }
    rows[id] = text + " \xE2\x80\x94 the engine: " + cells[7];
  }
  return rows;
}

// The rows the engine named in this run's events ("row" fields), in the table's words (or, for
// an id the table does not hold, the engine's own short name for it).
std::map<std::string, std::string> rows_named(const Timeline& t) {
  static const std::map<std::string, std::string> table = semantics_rows();
  std::map<std::string, std::string> meaning = table;
  for (int r = 0; r <= static_cast<int>(engine::CompletionRow::failed_other); ++r) {
    const auto row = static_cast<engine::CompletionRow>(r);
    meaning.emplace(engine::to_string(row), engine::describe(row));
  }
  std::map<std::string, std::string> out;
  for (const Entry& e : t.entries) {
    const auto it = e.fields.find("row");
    if (it == e.fields.end() || !it->is_string()) continue;
    const std::string id = it->get<std::string>();
    if (id.size() < 2 || id[0] != 'R') continue;
    const auto m = meaning.find(id);
    out[id] = m == meaning.end() ? "" : m->second;
  }
  return out;
}

std::string rows_list(const std::string& prefix, const std::map<std::string, std::string>& rows) {
  if (rows.empty()) return "";
  std::string out =
      "<h3>Rows of the completion-port table in this run</h3>\n<p class=\"hint\">As docs/IOCP-SEMANTICS.md has "
      "them (each row there has its id in lower case as anchor: IOCP-SEMANTICS.md#r5b).</p>\n<ul class=\"rows\">";
  for (const auto& [id, meaning] : rows) {
    out += "<li id=\"" + prefix + "-row-" + escape(id) + "\"><b>" + escape(id) + "</b> " + escape(meaning) + "</li>";
  }
  return out + "</ul>\n";
}

// Each expectation the file checked, where it met the run (a link to the entry), and what failed.
std::string expectations_list(const Timeline& t, const std::string& prefix, const MarkIndex& marks) {
  if (t.marks.empty()) return "";
  std::string out = "<h3>Expectations</h3>\n<ol class=\"expectations\">";
  for (std::size_t i = 0; i < t.marks.size(); ++i) {
    const TimelineMark& m = t.marks[i];
    const bool anchor_here = marks.first_failure == i && m.entry < 0;
    out += "<li id=\"" + prefix + "-x" + std::to_string(i) + "\" class=\"mark mark-" + to_string(m.kind) + "\">" +
           (anchor_here ? "<span id=\"" + prefix + "-failure\"></span>" : "") + mark_symbol(m.kind) + " <code>" +
           escape(m.path) + "</code> " + escape(m.text);
    if (m.entry >= 0) {
      out += " <a href=\"#" + row_id(prefix, static_cast<std::size_t>(m.entry)) + "\">at " +
             format_ms(t.entries[static_cast<std::size_t>(m.entry)].t_us) + " ms</a>";
    }
    out += "</li>";
  }
  return out + "</ol>\n";
}

// One line per device: where its lane ended up and what happened on it.
std::string device_summary(const Timeline& t) {
  if (t.devices.empty()) return "";
  struct Summary {
    std::string state = "-";
    std::size_t sessions = 0, closes = 0, faults = 0, entries = 0;
    std::int64_t first_fault_us = -1;
  };
  std::map<std::string, Summary> by_device;
  for (const auto& d : t.devices) by_device[d];
  for (const Entry& e : t.entries) {
    if (e.device.empty()) continue;
    Summary& s = by_device[e.device];
    ++s.entries;
    if (e.fault) {
      ++s.faults;
      if (s.first_fault_us < 0) s.first_fault_us = e.t_us;
    }
    if (e.source != Entry::Source::engine) continue;
    if (e.what == "session_ready") ++s.sessions;
    if (e.what == "socket_closed") ++s.closes;
    if (e.what == "state_changed") {
      const auto to = e.fields.find("to");
      if (to != e.fields.end() && to->is_string()) s.state = to->get<std::string>();
    }
  }
  std::string out =
      "<h3>Devices</h3>\n<table class=\"devices\"><thead><tr><th>device</th><th>last state</th><th>sessions</th>"
      "<th>closes</th><th>faults</th><th>first fault (ms)</th><th>entries</th></tr></thead><tbody>";
  for (const auto& [name, s] : by_device) {
    out += "<tr><td>" + escape(name) + "</td><td>" + escape(s.state) + "</td><td>" + std::to_string(s.sessions) +
           "</td><td>" + std::to_string(s.closes) + "</td><td>" + std::to_string(s.faults) + "</td><td>" +
           (s.first_fault_us < 0 ? std::string("-") : format_ms(s.first_fault_us)) + "</td><td>" +
           std::to_string(s.entries) + "</td></tr>";
  }
  return out + "</tbody></table>\n";
}

std::string controls() {
  std::string out =
      "<div class=\"controls\"><input type=\"search\" class=\"filter\" placeholder=\"filter entries\" "
      "aria-label=\"filter entries\">";
  for (const auto s : {Entry::Source::engine, Entry::Source::shim, Entry::Source::device, Entry::Source::runner}) {
    const std::string name = source_name(s);
    out += " <label><input type=\"checkbox\" class=\"src\" value=\"" + name + "\" checked> " + name + "</label>";
  }
  out +=
      " <label><input type=\"checkbox\" class=\"faults-only\"> faults only</label> <span "
      "class=\"shown\"></span></div>\n";
  return out;
}

std::string entry_table(const Timeline& t, const std::string& prefix, const MarkIndex& marks,
                        const std::map<std::string, std::string>& rows) {
  std::string out = controls();
  out +=
      "<table class=\"entries\"><thead><tr><th>t (ms)</th><th>source</th><th>device</th><th>what</th>"
      "<th>message</th><th>text</th><th>fields</th><th>expect</th></tr></thead><tbody>\n";
  for (std::size_t i = 0; i < t.entries.size(); ++i) out += table_row(prefix, i, t.entries[i], t, marks, rows);
  out += "</tbody></table>\n";
  return out;
}

std::string header(const Timeline& t, const std::string& prefix, const MarkIndex& marks) {
  std::size_t faults = 0;
  for (const auto& e : t.entries) faults += e.fault ? 1 : 0;
  std::string out = "<h2>" + escape(t.scenario) + " <span class=\"verdict " + verdict_class(t.verdict) + "\">" +
                    escape(t.verdict) + "</span></h2>\n<dl class=\"facts\"><dt>seed</dt><dd>" + std::to_string(t.seed) +
                    " <span class=\"hint\">(replay with --seed " + std::to_string(t.seed) +
                    ")</span></dd><dt>entries</dt><dd>" + std::to_string(t.entries.size()) + ", " +
                    std::to_string(faults) + " faults</dd>";
  if (!t.first_failure.empty()) {
    out += "<dt>first failure</dt><dd class=\"failure\">" + escape(t.first_failure);
    if (marks.first_failure) {
      out += " <a class=\"goto-failure\" href=\"#" + prefix + "-failure\">" +
             (t.marks[*marks.first_failure].entry >= 0 ? "show where in the diagram" : "show in the expectations") +
             "</a>";
    }
    out += "</dd>";
  }
  out += "</dl>\n";
  return out;
}

std::string section(const Timeline& t, std::size_t index) {
  const std::string prefix = "r" + std::to_string(index);
  const MarkIndex marks(t);
  const auto rows = rows_named(t);
  return "<section class=\"run\" id=\"" + prefix + "\">\n" + header(t, prefix, marks) + device_summary(t) +
         expectations_list(t, prefix, marks) +
         "<h3>Sequence diagram</h3>\n<p class=\"hint\">Lanes: engine | shim | one per device connection. Time "
         "flows down; idle gaps are compressed. Arrows are protocol messages, red marks are faults. Right of the "
         "lanes, the expectations: \xE2\x9C\x93 where one matched, \xE2\x9C\x97 where one failed, \xE2\x89\x88 the "
         "nearest candidate and what differed. A completion shows what GetQueuedCompletionStatus(Ex) returned. "
         "Click a mark for its row below.</p>\n<div class=\"diagram\">" +
         sequence_diagram(t, prefix, marks) + "</div>\n<h3>Entries</h3>\n" + entry_table(t, prefix, marks, rows) +
         rows_list(prefix, rows) + "</section>\n";
}

std::string index_list(const std::vector<Timeline>& timelines) {
  std::string out = "<nav class=\"index\"><h2>Runs</h2><ol>";
  for (std::size_t i = 0; i < timelines.size(); ++i) {
    const auto& t = timelines[i];
    out +=
        "<li><a href=\"#r" + std::to_string(i) + "\">" + escape(t.scenario) + "</a> <span class=\"verdict " +
        verdict_class(t.verdict) + "\">" + escape(t.verdict) + "</span>" +
        (t.first_failure.empty() ? "" : " <span class=\"hint\">" + escape(shorten(t.first_failure, 120)) + "</span>") +
        "</li>";
  }
  out += "</ol></nav>\n";
  return out;
}

constexpr std::string_view kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.2em;margin-top:1.5em}h3{font-size:1.05em}
.verdict{padding:.1em .5em;border-radius:.3em;color:#fff;font-size:.9em}
.verdict.pass{background:#2e7d32}.verdict.fail{background:#c62828}.verdict.other{background:#ef6c00}
.facts dt{font-weight:600;float:left;clear:left;width:8em}.facts dd{margin-left:8em}
.failure{color:#c62828;white-space:pre-wrap;font-family:monospace}
.hint,.note{color:#666;font-size:.9em}
.diagram{overflow:auto;max-height:80vh;border:1px solid #ddd}
svg.seq{font:10px monospace}
.lane{stroke:#bbb;stroke-width:1}.lane.engine{stroke:#555}.lane.shim{stroke:#8a6d3b;stroke-dasharray:4 3}
.lanetitle{font-weight:bold;font-size:12px}
.time{fill:#888}
.msg{stroke-width:1.3}.msg.down{stroke:#1565c0}.msg.up{stroke:#2e7d32}.msg.fault{stroke:#c62828}
.head{fill:#444}.head.fault{fill:#c62828}
.msglabel{fill:#333}
.tick{stroke:#8a6d3b;stroke-width:2}.event{fill:#555}.step{fill:#2e7d32}.action{fill:#1565c0}
.lbl-engine{fill:#333}.lbl-shim{fill:#8a6d3b}.lbl-device{fill:#2e7d32}.lbl-runner{fill:#1565c0}
.fault-marker{fill:#c62828}.faultlabel{fill:#c62828;font-weight:bold}
.gap{fill:#f3f3f3}.gaplabel{fill:#777;font-style:italic}
.controls{margin:.5em 0}.controls input.filter{width:24em}
table.entries{border-collapse:collapse;font:12px monospace}
table.entries th,table.entries td{border-bottom:1px solid #eee;padding:1px 6px;text-align:left;vertical-align:top}
table.entries td.num{text-align:right}
tr.fault td{background:#fde7e7}tr:target td{outline:2px solid #1565c0}
.badge{background:#c62828;color:#fff;border-radius:.3em;padding:0 .3em}
code{white-space:pre-wrap;word-break:break-all}
.mark{font-weight:bold}.mark-matched{fill:#2e7d32;color:#2e7d32}.mark-failed{fill:#c62828;color:#c62828}
.mark-nearest{fill:#ef6c00;color:#ef6c00}tr.failure-row td{background:#ffcdd2}
table.devices{border-collapse:collapse;font:12px monospace}table.devices td,table.devices th{padding:1px 8px;text-align:left}
)";

// Filters each run's table by text, source and faults; reads no data from the page but the rows.
constexpr std::string_view kScript = R"(
(function(){
  document.querySelectorAll('section.run').forEach(function(sec){
    var box=sec.querySelector('input.filter');
    var sources=sec.querySelectorAll('input.src');
    var faultsOnly=sec.querySelector('input.faults-only');
    var rows=sec.querySelectorAll('table.entries tbody tr');
    var shown=sec.querySelector('.shown');
    function apply(){
      var q=box.value.toLowerCase(), on={}, n=0;
      sources.forEach(function(c){on[c.value]=c.checked;});
      rows.forEach(function(r){
        var ok=on[r.getAttribute('data-src')] && (!faultsOnly.checked || r.classList.contains('fault')) &&
               (q==='' || r.textContent.toLowerCase().indexOf(q)!==-1);
        r.style.display=ok?'':'none';
        if(ok){n++;}
      });
      shown.textContent=n+' of '+rows.length+' entries shown';
    }
    box.addEventListener('input',apply);
    faultsOnly.addEventListener('change',apply);
    sources.forEach(function(c){c.addEventListener('change',apply);});
    apply();
  });
  // Every link within the page has its target: the rendered page says so (a test reads it).
  var broken=[];
  document.querySelectorAll('a[href^="#"]').forEach(function(a){
    if(!document.getElementById(a.getAttribute('href').slice(1))){broken.push(a.getAttribute('href'));}
  });
  document.body.setAttribute('data-links',broken.length===0?'ok':'broken: '+broken.slice(0,5).join(' '));
})();
)";

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title) +
         "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n" + body + "<script>" +
         std::string(kScript) + "</script>\n</body>\n</html>\n";
}

}  // namespace detail

std::string render_html(const Timeline& timeline) {
  return detail::page("iocpsim: " + timeline.scenario + " (" + timeline.verdict + ")",
                      "<h1>iocpsim scenario timeline</h1>\n" + detail::section(timeline, 0));
}

std::string render_html(const std::vector<Timeline>& timelines) {
  std::string body = "<h1>iocpsim scenario timelines</h1>\n";
  if (timelines.empty()) {
    body += "<p class=\"note\">No runs to show.</p>\n";
  } else {
    body += detail::index_list(timelines);
    for (std::size_t i = 0; i < timelines.size(); ++i) body += detail::section(timelines[i], i);
  }
  return detail::page("iocpsim: " + std::to_string(timelines.size()) + " scenario runs", body);
}

}  // namespace iocpsim::scenario
