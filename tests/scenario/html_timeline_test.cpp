#include "iocpsim/scenario/timeline.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace iocpsim::scenario {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Source = TimelineEntry::Source;
using Direction = TimelineEntry::Direction;

TimelineEntry entry(std::int64_t t_us, Source source, std::string device, std::string what, std::string text = "") {
  TimelineEntry e;
  e.t_us = t_us;
  e.source = source;
  e.device = std::move(device);
  e.what = std::move(what);
  e.text = std::move(text);
  return e;
}

TimelineEntry message(std::int64_t t_us, std::string device, std::string type, Direction direction) {
  auto e = entry(t_us, Source::device, std::move(device),
                 direction == Direction::host_to_device ? "frame_received" : "frame_sent");
  e.message = std::move(type);
  e.direction = direction;
  return e;
}

// A small run of two devices: a handshake, a shim fault, a device step and an action.
Timeline sample() {
  Timeline t;
  t.scenario = "peer-fin-mid-frame";
  t.seed = 7;
  t.verdict = "fail";
  t.first_failure = "expect.events[0]: no peer_closed of device a";
  t.devices = {"a", "b"};
  t.entries = {entry(0, Source::engine, "", "engine_started", "workers=2"),
               entry(100, Source::engine, "a", "connect_started", "generation=1"),
               entry(150, Source::shim, "a", "ConnectEx", "pending"),
               message(900, "a", "hello", Direction::host_to_device),
               message(1'200, "a", "hello_ack", Direction::device_to_host),
               entry(1'300, Source::engine, "a", "session_ready"),
               entry(2'000, Source::device, "b", "send_hex", "a5 5a 01 03"),
               entry(3'000, Source::runner, "a", "command", "opcode 1"),
               entry(4'000, Source::shim, "", "GetQueuedCompletionStatusEx", "2 entries")};
  auto fault = entry(5'000, Source::shim, "a", "WSARecv", "rule 0 (faults[0]): peer_reset");
  fault.fault = true;
  fault.fields = {{"rule", 0}, {"outcome", "peer_reset"}};
  t.entries.push_back(fault);
  t.entries.push_back(entry(5'100, Source::engine, "a", "peer_reset", "row=R5"));
  return t;
}

// A passing run of one device "a", with no entries yet.
Timeline run_of_a(std::string name) {
  Timeline t;
  t.scenario = std::move(name);
  t.verdict = "pass";
  t.devices = {"a"};
  return t;
}

std::size_t count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

bool is_void(std::string_view name) {
  for (const char* v : {"meta", "input", "br", "hr", "img", "link", "wbr"}) {
    if (name == v) return true;
  }
  return false;
}

// "" when every element is closed in order; otherwise what went wrong first. Script and style
// contents are skipped (they are not markup); attributes never contain '>' once escaped.
std::string unbalanced_tags(std::string_view html) {
  std::vector<std::string> open;
  for (std::size_t i = html.find('<'); i != std::string_view::npos; i = html.find('<', i + 1)) {
    if (html.substr(i, 2) == "<!") continue;
    const std::size_t end = html.find('>', i);
    if (end == std::string_view::npos) return "unterminated tag at " + std::to_string(i);
    const bool closing = html[i + 1] == '/';
    const std::size_t name_at = i + (closing ? 2 : 1);
    const std::size_t name_end = html.find_first_of(" >/\n", name_at);
    const std::string name(html.substr(name_at, name_end - name_at));
    if (closing) {
      if (open.empty() || open.back() != name) {
        return "</" + name + "> at " + std::to_string(i) + " closes <" + (open.empty() ? "" : open.back()) + ">";
      }
      open.pop_back();
    } else if (name == "script" || name == "style") {
      const std::size_t close = html.find("</" + name + ">", end);
      if (close == std::string_view::npos) return "<" + name + "> never closed";
      i = close;
      open.push_back(name);
    } else if (html[end - 1] != '/' && !is_void(name)) {
      open.push_back(name);
    }
    i = end;
  }
  return open.empty() ? "" : "<" + open.back() + "> never closed";
}

TEST(HtmlTimelineTest, EscapesMarkupInScenarioDeviceNamesAndTexts) {
  Timeline t = sample();
  t.scenario = "x<script>alert('scenario')</script>";
  t.devices.push_back("<script>alert(1)</script>");
  t.first_failure = "\"><img src=x onerror=alert(2)>";
  t.entries.push_back(
      entry(6'000, Source::device, "<script>alert(1)</script>", "send", "</td></tr><script>alert(3)</script>"));
  t.entries.back().fields = {{"text", "<script>alert(4)</script>"}};
  const std::string html = render_html(t);

  EXPECT_EQ(count(html, "<script"), 1u) << "only the page's own filter script";
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("alert(1)</script>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_EQ(unbalanced_tags(html), "");
}

TEST(HtmlTimelineTest, ReplacesBytesThatAreNotUtf8AndControlCharacters) {
  Timeline t = sample();
  t.entries.push_back(entry(6'000, Source::device, "a", "send", std::string("bad \xC3\x28 byte \x01 end")));
  const std::string html = render_html(t);
  EXPECT_THAT(html, HasSubstr("bad \xEF\xBF\xBD( byte \xEF\xBF\xBD end"));
}

TEST(HtmlTimelineTest, FaultEntriesGetARedMarkerWithTheRuleText) {
  const std::string html = render_html(sample());
  EXPECT_EQ(count(html, "class=\"fault-marker\""), 1u);
  EXPECT_THAT(html, HasSubstr("<text class=\"faultlabel\""));
  EXPECT_THAT(html, HasSubstr(">WSARecv: rule 0: peer_reset</text>"));
  EXPECT_THAT(html, HasSubstr("class=\"src-shim fault\""));

  Timeline quiet = sample();
  for (auto& e : quiet.entries) e.fault = false;
  EXPECT_THAT(render_html(quiet), Not(HasSubstr("class=\"fault-marker\"")));
}

TEST(HtmlTimelineTest, AFaultLabelLeadsWithTheRuleAndOutcomeNotTheHandles) {
  Timeline t = run_of_a("cancelled-connect");
  auto call = entry(100, Source::shim, "a", "ConnectEx",
                    "h=0x100 ov=0x55e3f26eb428 arg=0 -> ret=0 bytes=0 err=997 status=0 key=0 [rule 0: cancelled]");
  call.fault = true;
  call.fields = {{"rule", 0}, {"outcome", "cancelled"}};
  auto step = entry(200, Source::device, "a", "step_started", "kind=reset step=devices[0].script[3]");
  step.fault = true;
  step.fields = {{"kind", "reset"}, {"step", "devices[0].script[3]"}};
  auto bracketed =
      entry(300, Source::device, "a", "frame_sent", "telemetry seq=31 channel=0 channel_seq=14 [fault crc]");
  bracketed.fault = true;
  t.entries = {call, step, bracketed};
  const std::string html = render_html(t);
  EXPECT_THAT(html, HasSubstr(">ConnectEx: rule 0: cancelled</text>"));
  EXPECT_THAT(html, HasSubstr(">step_started: reset</text>"));
  EXPECT_THAT(html, HasSubstr(">frame_sent: fault crc</text>"));
}

TEST(HtmlTimelineTest, AFaultyMessageIsARedArrowWithAMarker) {
  Timeline t = sample();
  auto corrupt = message(6'000, "b", "telemetry", Direction::device_to_host);
  corrupt.fault = true;
  corrupt.text = "corrupt_next_frame: crc";
  t.entries.push_back(corrupt);
  const std::string html = render_html(t);
  EXPECT_THAT(html, HasSubstr("<line class=\"msg fault\""));
  EXPECT_EQ(count(html, "class=\"fault-marker\""), 2u);
}

TEST(HtmlTimelineTest, EveryDeviceGetsALaneAfterEngineAndShim) {
  Timeline t = sample();
  t.devices = {"a", "b", "c"};                                             // c never appears in an entry
  t.entries.push_back(entry(6'000, Source::engine, "d", "device_added"));  // d is not in the list
  const std::string html = render_html(t);
  EXPECT_EQ(count(html, "class=\"lanetitle\""), 6u);
  const auto engine = html.find(">engine<title>");
  const auto shim = html.find(">shim<title>");
  ASSERT_NE(engine, std::string::npos);
  ASSERT_NE(shim, std::string::npos);
  EXPECT_LT(engine, shim);
  std::size_t previous = shim;
  for (const char* device : {"a", "b", "c", "d"}) {
    const auto at = html.find(std::string(">") + device + "<title>");
    ASSERT_NE(at, std::string::npos) << device;
    EXPECT_LT(previous, at) << device << " is out of file order";
    previous = at;
  }
}

TEST(HtmlTimelineTest, MessagesAreArrowsBetweenTheEngineAndTheDeviceLane) {
  const std::string html = render_html(sample());
  EXPECT_EQ(count(html, "<line class=\"msg down\""), 1u);
  EXPECT_EQ(count(html, "<line class=\"msg up\""), 1u);
  EXPECT_THAT(html, HasSubstr(">hello</text>"));
  EXPECT_THAT(html, HasSubstr(">hello_ack</text>"));
  EXPECT_THAT(html, HasSubstr("marker-end=\"url(#r0-ah)\""));
}

TEST(HtmlTimelineTest, TheHeaderShowsVerdictSeedAndFirstFailure) {
  const std::string html = render_html(sample());
  EXPECT_THAT(html, HasSubstr("<span class=\"verdict fail\">fail</span>"));
  EXPECT_THAT(html, HasSubstr("<dt>seed</dt><dd>7 "));
  EXPECT_THAT(html, HasSubstr("expect.events[0]: no peer_closed of device a"));
}

TEST(HtmlTimelineTest, TheVerdictIsColouredByItsFirstWord) {
  Timeline t = sample();
  t.verdict = "pass (failed as expected)";
  EXPECT_THAT(render_html(t), HasSubstr("<span class=\"verdict pass\">pass (failed as expected)</span>"));
  t.verdict = "timeout";
  EXPECT_THAT(render_html(t), HasSubstr("<span class=\"verdict other\">timeout</span>"));
}

TEST(HtmlTimelineTest, EveryEntryIsATableRowWithFilterControls) {
  const Timeline t = sample();
  const std::string html = render_html(t);
  EXPECT_EQ(count(html, "<tr id=\"r0-e"), t.entries.size());
  EXPECT_THAT(html, HasSubstr("<input type=\"search\" class=\"filter\""));
  for (const char* source : {"engine", "shim", "device", "runner"}) {
    EXPECT_THAT(html, HasSubstr(std::string("class=\"src\" value=\"") + source + "\" checked")) << source;
  }
  EXPECT_THAT(html, HasSubstr("{&quot;outcome&quot;:&quot;peer_reset&quot;,&quot;rule&quot;:0}"));
}

TEST(HtmlTimelineTest, RepeatedCallsOnTheShimLaneAreDrawnOnce) {
  Timeline t = run_of_a("waits");
  for (int i = 0; i < 5; ++i) t.entries.push_back(entry(i * 100, Source::shim, "", "GetQueuedCompletionStatusEx"));
  t.entries.push_back(entry(600, Source::shim, "a", "WSARecv"));
  t.entries.push_back(entry(700, Source::shim, "", "GetQueuedCompletionStatusEx"));
  const std::string html = render_html(t);
  EXPECT_EQ(count(html, "<line class=\"tick\""), 3u);
  EXPECT_THAT(html, HasSubstr(">GetQueuedCompletionStatus"));
  EXPECT_THAT(html, HasSubstr(" \xC3\x97"
                              "5</text>"))
      << "the label counts the calls it stands for";
  EXPECT_EQ(count(html, "<tr id=\"r0-e"), 7u) << "the table keeps every call";
}

TEST(HtmlTimelineTest, LongIdleGapsAreCompressed) {
  Timeline t = run_of_a("idle");
  t.entries = {entry(0, Source::engine, "a", "session_ready"),
               entry(30'000'000, Source::engine, "a", "heartbeat_sent")};
  const std::string html = render_html(t);
  EXPECT_THAT(html, HasSubstr("30.00 s idle"));
  const auto at = html.find("<svg class=\"seq\" width=\"");
  ASSERT_NE(at, std::string::npos);
  const auto height_at = html.find("height=\"", at) + 8;
  EXPECT_LT(std::stoi(html.substr(height_at)), 200) << "a 30 s gap must not make the diagram tall";
}

TEST(HtmlTimelineTest, ThePageFetchesNothingFromOutside) {
  Timeline other = sample();
  other.scenario = "second";
  other.verdict = "pass";
  for (const std::string& html : {render_html(sample()), render_html(std::vector<Timeline>{sample(), other})}) {
    EXPECT_THAT(html, Not(HasSubstr("http://")));
    EXPECT_THAT(html, Not(HasSubstr("https://")));
    EXPECT_THAT(html, Not(HasSubstr(" src=")));
    EXPECT_THAT(html, Not(HasSubstr("<link")));
    EXPECT_THAT(html, Not(HasSubstr("@import")));
  }
}

TEST(HtmlTimelineTest, TagsAreBalanced) {
  EXPECT_EQ(unbalanced_tags(render_html(sample())), "");
  EXPECT_EQ(unbalanced_tags(render_html(std::vector<Timeline>{sample(), sample()})), "");
  EXPECT_EQ(unbalanced_tags(render_html(std::vector<Timeline>{})), "");
  // The checker itself notices a missing close.
  EXPECT_NE(unbalanced_tags("<div><p>text</div>"), "");
}

TEST(HtmlTimelineTest, SeveralRunsGetAnIndexAndOneSectionEach) {
  Timeline other = sample();
  other.scenario = "second-run";
  other.verdict = "pass";
  other.first_failure.clear();
  const std::string html = render_html(std::vector<Timeline>{sample(), other});
  EXPECT_THAT(html, HasSubstr("<nav class=\"index\">"));
  EXPECT_THAT(html, HasSubstr("<a href=\"#r0\">peer-fin-mid-frame</a>"));
  EXPECT_THAT(html, HasSubstr("<a href=\"#r1\">second-run</a>"));
  EXPECT_EQ(count(html, "<section class=\"run\""), 2u);
  // Arrowheads and row anchors are unique per section.
  EXPECT_EQ(count(html, "<marker id=\"r0-ah\""), 1u);
  EXPECT_EQ(count(html, "<marker id=\"r1-ah\""), 1u);
  EXPECT_THAT(html, HasSubstr("id=\"r1-e0\""));
}

TEST(HtmlTimelineTest, TheDiagramIsCappedButTheTableKeepsEveryEntry) {
  Timeline t = run_of_a("busy");
  for (int i = 0; i < 3'500; ++i)
    t.entries.push_back(entry(i * 10, Source::engine, "a", i % 2 ? "heartbeat_sent" : "heartbeat_ack"));
  const std::string html = render_html(t);
  EXPECT_THAT(html, HasSubstr("the first 3000 of 3500 entries"));
  EXPECT_EQ(count(html, "<tr id=\"r0-e"), 3'500u);
}

}  // namespace
}  // namespace iocpsim::scenario

namespace iocpsim::scenario {
namespace {

TEST(HtmlTimelineTest, TheExpectationsAreDrawnAndTheSummaryLinksToTheFailure) {
  Timeline t = sample();
  t.marks = {{TimelineMark::Kind::matched, 5, "expect.events[0]", "`session_ready` of a"},
             {TimelineMark::Kind::failed, 5, "expect.events[1]", "`peer_closed` of a never came after this"},
             {TimelineMark::Kind::nearest, 10, "expect.events[1]", "fields.row: expected = \"R4\", got \"R5\""}};
  const std::string html = render_html(t);
  EXPECT_THAT(html, HasSubstr("<text class=\"mark mark-failed\" id=\"r0-failure\""));
  EXPECT_THAT(html, HasSubstr("class=\"goto-failure\" href=\"#r0-failure\">show where in the diagram"));
  EXPECT_THAT(html, HasSubstr("<text class=\"mark mark-matched\""));
  EXPECT_THAT(html, HasSubstr("nearest to events[1]: fields.row: expected = &quot;R4&quot;, got &quot;R5&quot;"));
  EXPECT_THAT(html, HasSubstr("class=\"src-engine failure-row\""));  // the table row of the failure too
  EXPECT_THAT(html, HasSubstr("<h3>Devices</h3>"));
}

TEST(HtmlTimelineTest, AFailureNoEntryShowsIsAnchoredInTheExpectationsList) {
  Timeline t = sample();
  t.marks = {{TimelineMark::Kind::failed, -1, "expect.final_state.a", "expected stopped, got ready"}};
  const std::string html = render_html(t);
  EXPECT_THAT(html, HasSubstr("<span id=\"r0-failure\"></span>"));
  EXPECT_THAT(html, HasSubstr("show in the expectations"));
}

TEST(HtmlTimelineTest, RowIdsLinkToTheRowsOfTheCompletionPortTableTheRunNamed) {
  Timeline t = sample();
  t.entries.back().fields = {{"row", "R5"}};
  const std::string html = render_html(t);
  EXPECT_THAT(html, HasSubstr("<li id=\"r0-row-R5\"><b>R5</b> the peer sends RST while a recv is pending; ret: "
                              "FALSE; ov: op; n: 0; last error: 64 ERROR_NETNAME_DELETED (W)"))
      << "the row in the words of docs/IOCP-SEMANTICS.md";
  EXPECT_THAT(html, HasSubstr("row=<a class=\"row-link\" href=\"#r0-row-R5\">R5</a>"));
}

TEST(HtmlTimelineTest, ACompletionShowsWhatTheDequeueReturnedBesideItsMark) {
  Timeline t = sample();
  TimelineEntry c = entry(4'100, Source::shim, "a", "completion", "ov=0x10 bytes=0 status=0xC000020D");
  c.label = "entry 0 B CONNECTION_RESET";
  t.entries.push_back(c);
  EXPECT_THAT(render_html(t), HasSubstr(">entry 0 B CONNECTION_RESET</text>"));
}

}  // namespace
}  // namespace iocpsim::scenario
