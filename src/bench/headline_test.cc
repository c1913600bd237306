#include "bench/headline.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "bench/meaning.h"

namespace fourdollar::bench {
namespace {

StepFigures Step(double rps, double p95_ms, bool held, double server_cpu, double generator_cpu,
                 std::string reason = "") {
  return StepFigures{.offered_rate = rps / 2,
                     .offered_rps = rps,
                     .achieved_rps = held ? rps : rps * 0.9,
                     .p95_ms = p95_ms,
                     .server_cpu_percent = server_cpu,
                     .generator_cpu_percent = generator_cpu,
                     .held = held,
                     .reason = std::move(reason)};
}

TEST(Headline, HoldsAndBreaksWithTheServersCpuAsCause) {
  std::vector<StepFigures> steps = {Step(10000, 2.0, true, 60, 40), Step(24100, 3.24, true, 90, 50),
                                    Step(27600, 180.2, false, 97, 61, "p95 180.2 ms"),
                                    Step(30000, 300, false, 99, 70, "p95 300.0 ms")};
  SweepAnswer answer = AnswerOf(steps, 1);
  EXPECT_EQ(answer.limit, Limit::kServerCpu);
  EXPECT_EQ(FormatHeadline("1 CPU here", answer, 1),
            "1 CPU here: holds 24100 requests/s at p95 3.2 ms; at 27600 it breaks (p95 180.2 "
            "ms). Cause: the server's CPU (1 CPU: 97% busy at the break; the generator: 61% "
            "busy). The article's $4 VPS (Go + MongoDB): about 1300 requests/s.");
}

TEST(Headline, SaturatedGeneratorIsNamedAndTheServerLimitOnlyEstimated) {
  StepFigures broke = Step(30000, 150, false, 70, 95, "p95 150.0 ms");
  broke.generator_saturated = true;
  SweepAnswer answer = AnswerOf({Step(20000, 2.0, true, 50, 80), broke}, 1);
  EXPECT_EQ(answer.limit, Limit::kGenerator);
  EXPECT_DOUBLE_EQ(answer.server_estimate_rps, 40000);  // 20000 / 50%
  const std::string text = FormatHeadline("1 CPU here", answer, 1);
  EXPECT_NE(text.find("Cause: the load generator was saturated (95% busy), not the server; "
                      "the server used 50% of 1 CPU at 20000 requests/s, so an estimate of its "
                      "limit is 40000 requests/s (an estimate, not a measured knee)."),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("knee at"), std::string::npos) << text;
}

TEST(Headline, AServerWhoseCpuWasFullBesideASaturatedGeneratorIsNamedWithoutAnEstimate) {
  // The sweep ended at a step that held with the generator saturated, the server's CPU busy too.
  StepFigures last = Step(38700, 84.8, true, 92, 86);
  last.server_wait_percent = 22;
  last.generator_saturated = true;
  SweepAnswer answer = AnswerOf({Step(22900, 2.1, true, 51, 46), last}, 1);
  EXPECT_EQ(answer.limit, Limit::kServerAndGenerator);
  EXPECT_EQ(answer.server_estimate_rps, 0);
  EXPECT_EQ(FormatHeadline("1 CPU here", answer, 1),
            "1 CPU here: holds 38700 requests/s at p95 84.8 ms; no step broke (the load generator "
            "was saturated). Cause: both CPUs were full at the last step, the server's (1 CPU: 92% "
            "busy, 22% waiting for a CPU) and the load generator's (86% busy): about the server's "
            "limit on this machine, with no faster step measured. The article's $4 VPS (Go + "
            "MongoDB): about 1300 requests/s.");
  const std::vector<std::string> lines = Meaning(answer, 1, {});
  EXPECT_NE(std::find_if(lines.begin(), lines.end(),
                         [](const std::string& line) {
                           return line.starts_with(
                               "Limiting resource: the server's CPU, full at "
                               "the last step; the load generator's was full");
                         }),
            lines.end());
}

TEST(Headline, AServerWithCpuToSpareBesideASaturatedGeneratorIsOnlyEstimated) {
  // Busy under kFullCpuPercent, though busy and waiting pass it: the server had CPU to spare.
  StepFigures last = Step(30000, 3.0, true, 70, 90);
  last.server_wait_percent = 20;
  SweepAnswer answer = AnswerOf({Step(20000, 2.0, true, 47, 60), last}, 1);
  EXPECT_EQ(answer.limit, Limit::kGenerator);
  EXPECT_NEAR(answer.server_estimate_rps, 30000 / 0.7, 1);
  // 170% busy is 85% of two CPUs (full), 42% of four.
  last.server_cpu_percent = 170;
  EXPECT_EQ(AnswerOf({last}, 2).limit, Limit::kServerAndGenerator);
  EXPECT_EQ(AnswerOf({last}, 4).limit, Limit::kGenerator);
}

TEST(Headline, AServerWaitingForACpuTakenByOtherWorkIsCpuLimited) {
  StepFigures broke = Step(2000, 500, false, 45, 20, "p95 500.0 ms");
  broke.server_wait_percent = 50;
  broke.generator_wait_percent = 2;
  SweepAnswer answer = AnswerOf({Step(1000, 2.0, true, 30, 10), broke}, 1);
  EXPECT_EQ(answer.limit, Limit::kServerCpu);
  const std::string text = FormatHeadline("1 CPU here", answer, 1);
  EXPECT_NE(text.find("Cause: the server's CPU (1 CPU: 45% busy, 50% waiting for a CPU at the "
                      "break; the generator: 20% busy), shared with other work on this machine."),
            std::string::npos)
      << text;
}

TEST(Headline, AServerUsingItsWholeCpuWaitedForItsOwnThreadsNotOtherWork) {
  StepFigures broke = Step(2000, 500, false, 91, 98, "p95 158.6 ms");
  broke.server_wait_percent = 38;
  SweepAnswer answer = AnswerOf({Step(1000, 2.0, true, 50, 60), broke}, 1);
  EXPECT_EQ(answer.limit, Limit::kServerCpu);
  const std::string text = FormatHeadline("1 CPU here", answer, 1);
  EXPECT_NE(text.find("Cause: the server's CPU (1 CPU: 91% busy, 38% waiting for a CPU at the "
                      "break; the generator: 98% busy)."),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("other work"), std::string::npos) << text;
}

TEST(Headline, AGeneratorWaitingForItsCpuIsSaturated) {
  StepFigures broke = Step(2000, 500, false, 30, 40, "p95 500.0 ms");
  broke.generator_wait_percent = 55;
  SweepAnswer answer = AnswerOf({Step(1000, 2.0, true, 20, 30), broke}, 1);
  EXPECT_EQ(answer.limit, Limit::kGenerator);
  EXPECT_NE(FormatHeadline("1 CPU here", answer, 1)
                .find("the load generator was saturated (40% busy, 55% waiting for a CPU), not "
                      "the server; the server used 20% of 1 CPU at 1000 requests/s, so an "
                      "estimate of its limit is 5000 requests/s (an estimate, not a measured "
                      "knee)."),
            std::string::npos);
}

TEST(Headline, TheSideMoreShortOfCpuIsTheCause) {
  // Neither side full, but the generator waited for its CPU far more than the server did.
  StepFigures broke = Step(2000, 500, false, 4, 6, "p95 500.0 ms");
  broke.server_wait_percent = 10;
  broke.generator_wait_percent = 40;
  SweepAnswer answer = AnswerOf({Step(1000, 2.0, true, 3, 5), broke}, 1);
  EXPECT_EQ(answer.limit, Limit::kGenerator);
  EXPECT_NE(FormatHeadline("1 CPU here", answer, 1)
                .find("Cause: the load generator was short of CPU, shared with other work (6% "
                      "busy, 40% waiting for a CPU), not the server;"),
            std::string::npos);
  broke.server_wait_percent = 50;
  EXPECT_EQ(AnswerOf({Step(1000, 2.0, true, 3, 5), broke}, 1).limit, Limit::kServerCpu);
}

TEST(Headline, SpareCpuOnBothSidesIsNotCalledACpuLimit) {
  SweepAnswer answer =
      AnswerOf({Step(1000, 2.0, true, 20, 10), Step(2000, 500, false, 30, 10, "p95 500.0 ms")}, 2);
  EXPECT_EQ(answer.limit, Limit::kOther);
  EXPECT_NE(FormatHeadline("2 CPUs here", answer, 2)
                .find("Cause: not CPU (the server, 2 CPUs: 30% busy; the generator: 10% busy; at "
                      "the break)."),
            std::string::npos);
}

TEST(Headline, SaysWhenNoStepBroke) {
  SweepAnswer answer = AnswerOf({Step(1000, 2.0, true, 20, 10), Step(2000, 2.5, true, 40, 20)}, 1);
  EXPECT_EQ(answer.limit, Limit::kNone);
  EXPECT_EQ(FormatHeadline("1 CPU here", answer, 1)
                .rfind("1 CPU here: holds 2000 requests/s at p95 2.5 ms; no step broke (every step "
                       "held).",
                       0),
            0u);
}

TEST(Headline, ABrokenStepSlowerThanTheFastestHeldIsNotTheBreak) {
  // Bisection order: 1000 held, 2000 broke, 1500 held, 1750 broke, a noisy 1200 broke.
  SweepAnswer answer = AnswerOf({Step(1000, 1, true, 10, 10), Step(2000, 300, false, 99, 10, "a"),
                                 Step(1500, 2, true, 80, 10), Step(1750, 200, false, 95, 10, "b"),
                                 Step(1200, 150, false, 50, 10, "c")},
                                1);
  ASSERT_TRUE(answer.held && answer.broke);
  EXPECT_DOUBLE_EQ(answer.held->offered_rps, 1500);
  EXPECT_EQ(answer.broke->reason, "b");
}

TEST(Meaning, StatesCapacityPerDayCostAndLimit) {
  SweepAnswer answer = AnswerOf(
      {Step(10000, 2.0, true, 50, 40), Step(12000, 200, false, 98, 50, "p95 200.0 ms")}, 1);
  std::vector<std::string> lines =
      Meaning(answer, 1,
              {{.flow = "writers", .writes = true, .cpu_ms_per_thousand = 150},
               {.flow = "readers", .writes = false, .cpu_ms_per_thousand = 50}});
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0],
            "Capacity: 10000 requests/s at p95 2.0 ms, about 864 million requests a day.");
  EXPECT_NE(lines[1].find("1300 requests/s; this is 7.7 times that"), std::string::npos);
  EXPECT_NE(lines[2].find("50 CPU-milliseconds per 1000 requests"),
            std::string::npos);  // 50% / 10k
  EXPECT_NE(lines[3].find("One post costs about 3.0 times one read"), std::string::npos);
  EXPECT_EQ(lines[4], "Limiting resource: the server's CPU.");
}

TEST(Headline, AHeldStepHoldsNoMoreThanItWasOffered) {
  // Catching up on its first second's backlog, a step completes a little more than offered.
  StepFigures held = Step(9100, 40, true, 30, 20);
  held.achieved_rps = 9340;
  SweepAnswer answer = AnswerOf({held, Step(9330, 390, false, 35, 20, "p95 390.0 ms")}, 1);
  EXPECT_EQ(FormatHeadline("1 CPU here", answer, 1)
                .rfind("1 CPU here: holds 9100 requests/s at p95 40.0 ms; at 9330 it breaks", 0),
            0u);
}

TEST(Headline, RoundsToThreeSignificantDigits) {
  EXPECT_EQ(RoundForReading(12345), 12300);
  EXPECT_EQ(RoundForReading(987.6), 988);
  EXPECT_EQ(RoundForReading(0.4), 1);
  EXPECT_EQ(RoundForReading(0), 0);
}

}  // namespace
}  // namespace fourdollar::bench
