// The JUnit report: well-formed XML whatever the messages hold, counts that add up, and the
// failure's message, every unmet expectation and the timeline inside <failure>.
#include <gtest/gtest.h>

#include <regex>
#include <vector>

#include "iocpsim/scenario/junit.hpp"

namespace iocpsim::scenario {
namespace {

// Checks that every tag is closed in order and nothing raw is left in text; returns the problem.
std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  std::size_t i = xml.find("?>") + 2;
  while (i < xml.size()) {
    const std::size_t lt = xml.find('<', i);
    const std::string text = xml.substr(i, lt == std::string::npos ? std::string::npos : lt - i);
    if (text.find('>') != std::string::npos) return "raw > in text: " + text;
    if (std::regex_search(text, std::regex("&(?!(amp|lt|gt|quot|apos);)"))) return "raw & in text: " + text;
    if (lt == std::string::npos) break;
    const std::size_t gt = xml.find('>', lt);
    const std::string tag = xml.substr(lt + 1, gt - lt - 1);
    if (tag.find('<') != std::string::npos) return "raw < inside a tag: " + tag;
    if (std::count(tag.begin(), tag.end(), '"') % 2 != 0) return "unbalanced quotes: " + tag;
    const std::string name = tag.substr(tag[0] == '/' ? 1 : 0, tag.find_first_of(" /", 1) - (tag[0] == '/' ? 1 : 0));
    if (tag[0] == '/') {
      if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open";
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(name);
    }
    i = gt + 1;
  }
  return open.empty() ? "" : "<" + open.back() + "> never closed";
}

JUnitCase failed_case() {
  JUnitCase c;
  c.name = "peer-fin";
  c.classname = "scenarios.framing";
  c.file = "scenarios/framing/peer-fin.json";
  c.time_s = 0.1234;
  c.seed = 7;
  c.status = JUnitCase::Status::failed;
  c.message = R"(fail: expect.events[0]: `peer_closed` {row = "R4"} <never> came & 'so')";
  c.details = "unmet: x\n  +1.000 ms  a  shim  WSARecv  -> ret=-1 \x01";
  return c;
}

TEST(JUnit, EscapingCoversEveryMarkupCharacterAndControlBytes) {
  EXPECT_EQ(xml_escape("a<b>&\"c\"'d'\x01\t\n"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;?\t\n");
}

TEST(JUnit, AReportIsWellFormedWhateverTheMessagesHold) {
  JUnitCase ok;
  ok.name = "a<&>\"b";
  ok.classname = "scenarios.basic";
  ok.seed = 1;
  const std::string xml = junit_xml({ok, failed_case()}, 1.5);
  EXPECT_EQ(xml_problem(xml), "");
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"iocpsim\" tests=\"2\" "
                      "failures=\"1\" errors=\"0\" time=\"1.500\">",
                      0),
            0u);
}

TEST(JUnit, AFailureCarriesItsMessageDetailsAndSeed) {
  const std::string xml = junit_xml({failed_case()}, 0.2);
  EXPECT_NE(
      xml.find(
          R"(<failure message="fail: expect.events[0]: `peer_closed` {row = &quot;R4&quot;} &lt;never&gt; came &amp; &apos;so&apos;" type="failure">unmet: x
  +1.000 ms  a  shim  WSARecv  -&gt; ret=-1 ?</failure>)"),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase name=\"peer-fin\" classname=\"scenarios.framing\" "
                     "file=\"scenarios/framing/peer-fin.json\" time=\"0.123\">"),
            std::string::npos);
  EXPECT_NE(xml.find("<system-out>seed 7</system-out>"), std::string::npos);
}

TEST(JUnit, AnInvalidFileIsAnError) {
  JUnitCase c = failed_case();
  c.status = JUnitCase::Status::error;
  const std::string xml = junit_xml({c}, 0);
  EXPECT_NE(xml.find("errors=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<error message="), std::string::npos);
  EXPECT_EQ(xml_problem(xml), "");
}

TEST(JUnit, TheCheckerItselfCatchesBrokenXml) {
  EXPECT_NE(xml_problem("<?xml?><a><b></a>"), "");
  EXPECT_NE(xml_problem("<?xml?><a>x > y</a>"), "");
  EXPECT_NE(xml_problem("<?xml?><a>x & y</a>"), "");
}

}  // namespace
}  // namespace iocpsim::scenario
