// Rule matching: n-th, every k-th, tag, after a time (injected clock), after a byte count,
// probability from the run's seed, how many times a rule fires, and the builder's checks.
#include "iocpsim/iocp/fault_rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fault_shim_fixture.hpp"

namespace iocpsim::iocp::testing {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// Which of `calls` occurrences of WSARecv the rules fire on (1-based).
std::vector<int> firings(std::vector<FaultRule> rules, int calls, std::uint64_t seed = kSeed,
                         const std::string* tag = nullptr) {
  RuleSet set(std::move(rules), microseconds{0});
  SeededRandom random(seed);
  std::vector<int> fired;
  for (int i = 1; i <= calls; ++i) {
    if (set.match({Call::WSARecv, tag, 0, microseconds{0}}, random)) fired.push_back(i);
  }
  return fired;
}

TEST(FaultRulesTest, NthFiresOnlyOnTheNthMatchingCall) {
  EXPECT_EQ(firings({fault(Outcome::peer_reset).on(Call::WSARecv).nth(3)}, 10), (std::vector<int>{3}));
}

TEST(FaultRulesTest, EveryKthFiresOnEachKthCallWhenAlways) {
  EXPECT_EQ(firings({fault(Outcome::peer_reset).every(3).always()}, 10), (std::vector<int>{3, 6, 9}));
}

TEST(FaultRulesTest, NthThenEveryKthStartsAtTheNthCall) {
  EXPECT_EQ(firings({fault(Outcome::peer_reset).nth(2).every(4).times(2)}, 12), (std::vector<int>{2, 6}));
}

TEST(FaultRulesTest, ARuleRetiresAfterItsTimes) {
  EXPECT_EQ(firings({fault(Outcome::peer_reset).times(2)}, 5), (std::vector<int>{1, 2}));
}

TEST(FaultRulesTest, OtherCallsAreNotCounted) {
  RuleSet set({fault(Outcome::peer_reset).on(Call::WSASend).nth(2)}, microseconds{0});
  SeededRandom random(kSeed);
  EXPECT_FALSE(set.match({Call::WSARecv, nullptr, 0, microseconds{0}}, random));
  EXPECT_FALSE(set.match({Call::WSASend, nullptr, 0, microseconds{0}}, random));
  EXPECT_FALSE(set.match({Call::WSARecv, nullptr, 0, microseconds{0}}, random));
  EXPECT_TRUE(set.match({Call::WSASend, nullptr, 0, microseconds{0}}, random));
}

TEST(FaultRulesTest, TagLimitsTheRuleToThatConnection) {
  const std::string a = "A";
  const std::string b = "B";
  RuleSet set({fault(Outcome::peer_reset).tag("B").nth(2)}, microseconds{0});
  SeededRandom random(kSeed);
  const auto on = [&](const std::string* tag) {
    return set.match({Call::WSARecv, tag, 0, microseconds{0}}, random).has_value();
  };
  EXPECT_FALSE(on(&b));
  EXPECT_FALSE(on(&a));
  EXPECT_FALSE(on(nullptr));
  EXPECT_TRUE(on(&b));  // B's second receive
}

TEST(FaultRulesTest, AfterTimeCountsOnlyCallsOnceThatLongHasPassedSinceArming) {
  RuleSet set({fault(Outcome::peer_reset).after(milliseconds{1500})}, microseconds{1000});
  SeededRandom random(kSeed);
  EXPECT_FALSE(set.match({Call::WSARecv, nullptr, 0, microseconds{1000 + 1'499'999}}, random));
  EXPECT_TRUE(set.match({Call::WSARecv, nullptr, 0, microseconds{1000 + 1'500'000}}, random));
}

TEST(FaultRulesTest, AfterBytesWaitsForTheConnectionsByteCount) {
  RuleSet set({fault(Outcome::peer_reset).after_bytes(100)}, microseconds{0});
  SeededRandom random(kSeed);
  EXPECT_FALSE(set.match({Call::WSARecv, nullptr, 99, microseconds{0}}, random));
  EXPECT_TRUE(set.match({Call::WSARecv, nullptr, 100, microseconds{0}}, random));
}

TEST(FaultRulesTest, ProbabilityWithTheSameSeedGivesTheSameFirings) {
  const FaultRule rule = fault(Outcome::peer_reset).probability(0.3).always();
  const std::vector<int> first = firings({rule}, 200, 42);
  SCOPED_TRACE("seed 42");
  EXPECT_EQ(firings({rule}, 200, 42), first);
  EXPECT_NE(firings({rule}, 200, 43), first);
  // Roughly the asked-for share (a generous band: the point is determinism).
  EXPECT_GT(first.size(), 30u);
  EXPECT_LT(first.size(), 100u);
}

TEST(FaultRulesTest, TheFirstRuleInOrderWinsAndAPreemptedRuleFiresAtItsNextOccurrence) {
  RuleSet set({fault(Outcome::peer_reset).nth(2), fault(Outcome::local_abort).nth(2), fault(Outcome::cancelled).nth(4)},
              microseconds{0});
  SeededRandom random(kSeed);
  const auto next = [&] { return set.match({Call::WSARecv, nullptr, 0, microseconds{0}}, random); };
  EXPECT_FALSE(next());
  EXPECT_EQ(next(), std::optional<std::size_t>{0});
  EXPECT_EQ(set.fired(1), 0u);                       // pre-empted at its occurrence ...
  EXPECT_EQ(next(), std::optional<std::size_t>{1});  // ... so it takes the next one
  EXPECT_EQ(next(), std::optional<std::size_t>{2});  // and the others kept counting
  EXPECT_FALSE(next());
}

TEST(FaultRulesTest, AnUnfiredRuleFiresOnTheNextOccurrence) {
  RuleSet set({fault(Outcome::sync_success)}, microseconds{0});
  SeededRandom random(kSeed);
  ASSERT_EQ(set.match({Call::WSARecv, nullptr, 0, microseconds{0}}, random), std::optional<std::size_t>{0});
  set.unfire(0);
  EXPECT_EQ(set.fired(0), 0u);
  EXPECT_EQ(set.match({Call::WSARecv, nullptr, 0, microseconds{0}}, random), std::optional<std::size_t>{0});
}

TEST(FaultRulesTest, BuilderRejectsAnOutcomeOnACallItCannotHappenTo) {
  try {
    FaultRule r = fault(Outcome::peer_fin).on(Call::WSASend);
    FAIL() << "accepted " << outcome_name(r.outcome);
  } catch (const FaultRuleError& e) {
    EXPECT_STREQ(e.what(), "when.call: WSASend cannot have outcome peer_fin; expected one of WSARecv");
  }
}

TEST(FaultRulesTest, BuilderRejectsAProbabilityOutsideZeroToOne) {
  EXPECT_THROW(fault(Outcome::peer_reset).probability(1.5).build(), FaultRuleError);
  EXPECT_THROW(fault(Outcome::peer_reset).probability(0).build(), FaultRuleError);
}

TEST(FaultRulesTest, EveryOutcomeHasAStableNameThatReadsBack) {
  for (int i = 0; i < static_cast<int>(Outcome::kCount); ++i) {
    const auto o = static_cast<Outcome>(i);
    EXPECT_EQ(outcome_from_name(outcome_name(o)), o);
    EXPECT_NE(allowed_calls(o), 0u) << outcome_name(o);
  }
}

// ---- the same predicates through the shim, on real connections ----

using FaultRulesShimTest = FaultShimTest;

TEST_F(FaultRulesShimTest, TagMatchesTheConnectionTheEngineNamed) {
  const Connection a = connect_pair("device-A");
  const Connection b = connect_pair("device-B");
  shim().arm({fault(Outcome::immediate_error).tag("device-B").error(WSAENOBUFS).always()});
  OVERLAPPED ov{};
  char buf[4];
  EXPECT_EQ(recv(a.engine, &ov, buf, sizeof buf).error, WSA_IO_PENDING);
  OVERLAPPED ov_b{};
  EXPECT_EQ(recv(b.engine, &ov_b, buf, sizeof buf).error, WSAENOBUFS);
  peer_send(a, "x");
  EXPECT_EQ(dequeue().ov, &ov);
}

TEST_F(FaultRulesShimTest, AfterTimeFollowsTheInjectedClock) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::immediate_error).after(milliseconds{500}).error(WSAENOBUFS)});
  OVERLAPPED ov{};
  EXPECT_EQ(send(c.engine, &ov, "a", 1).rc, 0);
  EXPECT_EQ(dequeue().ov, &ov);
  clock_.advance(milliseconds{500});
  EXPECT_EQ(send(c.engine, &ov, "b", 1).error, WSAENOBUFS);
  EXPECT_EQ(peer_recv(c, 1), "a");
}

TEST_F(FaultRulesShimTest, AfterBytesCountsWhatTheConnectionMoved) {
  const Connection c = connect_pair();
  shim().arm({fault(Outcome::immediate_error).on(Call::WSASend).after_bytes(6).error(WSAENOBUFS)});
  OVERLAPPED ov{};
  EXPECT_EQ(send(c.engine, &ov, "hello", 5).rc, 0);
  EXPECT_EQ(dequeue().bytes, 5u);
  EXPECT_EQ(send(c.engine, &ov, "!", 1).rc, 0);  // 5 moved so far: not yet
  EXPECT_EQ(dequeue().bytes, 1u);
  EXPECT_EQ(send(c.engine, &ov, "?", 1).error, WSAENOBUFS);
  EXPECT_EQ(peer_recv(c, 6), "hello!");
}

TEST_F(FaultRulesShimTest, ProbabilityThroughTheShimRepeatsWithTheSeed) {
  const auto run = [&](std::uint64_t seed) {
    EmulatedIoApi emu;
    FaultInjectingIoApi shim_run(emu, FaultOptions{seed, &clock_, false, 16});
    const HANDLE p = shim_run.CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
    shim_run.arm({fault(Outcome::spurious_wakeup).probability(0.5).always()});
    std::string pattern;
    for (int i = 0; i < 64; ++i) {
      DWORD bytes = 0;
      ULONG_PTR key = 0;
      OVERLAPPED* ov = nullptr;
      pattern += shim_run.GetQueuedCompletionStatus(p, &bytes, &key, &ov, 0) ? '1' : '0';
    }
    shim_run.CloseHandle(p);
    return pattern;
  };
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  EXPECT_EQ(run(kSeed), run(kSeed));
  EXPECT_NE(run(kSeed), run(kSeed + 1));
}

}  // namespace
}  // namespace iocpsim::iocp::testing
