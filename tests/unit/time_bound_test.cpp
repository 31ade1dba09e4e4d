// The time bounds the compiler proves, against the scheduler the runtime
// runs: random specs are compiled by the real compiler, and their plans
// walked by the real walker (the walks `apply` and `rollback` build) on a
// simulated clock, with random durations up to the estimates (or the
// timeouts), random retries with the runtime's backoff and random failures.
// No measured run may end later than the plan says it can.
//
// CI runs a fixed seed; SPARKC_PROPERTY_CASES and SPARKC_PROPERTY_SEED run
// more (bench/time_bounds.sh does).
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "compiler/compile/compile.h"
#include "compiler/dag/bound.h"
#include "compiler/plan/step_time.h"
#include "runtime/apply/executor.h"
#include "runtime/apply/schedule.h"

namespace {

using namespace sparkc;
using runtime::NodeOutcome;

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  return value == nullptr ? fallback : std::strtoll(value, nullptr, 10);
}

struct Case {
  std::string text;
  std::string window_from, window_to;  // "" for none
};

// A random spec: steps and fan-outs with random `after` edges to earlier
// ones, estimates, undo estimates, retries, concurrency and parallelism.
Case RandomSpec(std::mt19937_64& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Case c;
  std::vector<std::string> names;    // what `after` can name
  std::vector<std::string> singles;  // plain steps, for windows
  std::string steps;
  int64_t count = pick(1, 14);
  for (int64_t i = 0; i < count; ++i) {
    std::string after;
    for (const std::string& earlier : names)
      if (pick(0, 99) < 25) after += (after.empty() ? "" : ", ") + earlier;
    std::string times = fmt::format("estimate = {} s; undo_estimate = {} s; retries = {}", pick(0, 600),
                                    pick(0, 120), pick(0, 9) < 7 ? 0 : pick(1, 3));
    std::string undo = pick(0, 4) == 0 ? "none" : "exec(\"true\")";
    std::string id = fmt::format("s{}", i);
    if (pick(0, 3) == 0) {
      std::string keys;
      for (int64_t k = 0, n = pick(1, 5); k < n; ++k) keys += fmt::format("{}\"k{}\"", k ? ", " : "", k);
      steps += fmt::format("step {}[x in [{}]] {{ after = [{}]; do = exec(\"echo\", x); undo = {}; {}; "
                           "concurrency = {}; timeout = {} s }}\n", id, keys, after, undo, times, pick(1, 5),
                           pick(1, 900));
      names.push_back(id + "[*]");
    } else {
      steps += fmt::format("step {} {{ after = [{}]; do = exec(\"true\"); undo = {}; {}; timeout = {} s{} }}\n", id,
                           after, undo, times, pick(1, 900), pick(0, 3) == 0 ? "; check = file.exists(\"/\")" : "");
      names.push_back(id);
      singles.push_back(id);
    }
  }
  c.text = fmt::format("objective {{ parallelism = {} }}\n", pick(1, 5)) + steps;
  // A window from one plain step to a later one that depends on it.
  if (singles.size() >= 2 && pick(0, 1) == 0) {
    c.window_from = singles[0];
    c.window_to = singles.back();
    c.text += fmt::format("step w_end {{ after = [{}, {}]; do = noop; undo = none }}\n", c.window_from, c.window_to);
    c.window_to = "w_end";
    c.text += fmt::format("window w {{ from = {}; to = w_end; max = 10000 h }}\n", c.window_from);
  }
  return c;
}

plan::Plan CompileCase(const Case& c) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("sparkc-bounds-{}", getpid());
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / "spec.spark";
  std::ofstream(file) << c.text;
  SourceManager sources;
  Diagnostics diags(sources);
  plan::Plan plan;
  bool ok = Compile(file.string(), sources, diags, plan);
  std::string messages;
  for (const auto& d : diags.all()) messages += d.message + "\n";
  INFO(c.text << messages);
  REQUIRE(ok);
  return plan;
}

enum class Durations { Estimates, Timeouts, Full };

// One step's run: attempts that fail and retry after the runtime's backoff,
// then success, or failure of every attempt.
runtime::Simulated RunStep(const plan::Step& step, Durations kind, bool fail, std::mt19937_64& rng) {
  auto upto = [&](int64_t max) { return std::uniform_int_distribution<int64_t>(0, max)(rng); };
  if (kind == Durations::Timeouts) return {upto(plan::ForwardTime(step, plan::Basis::Timeout).ms), !fail};
  // Full: the worst case, every retry used, every attempt at its estimate.
  int64_t attempts = fail || kind == Durations::Full ? step.retries + 1 : 1 + upto(step.retries);
  int64_t ms = 0;
  for (int64_t a = 1; a <= attempts; ++a) {
    ms += kind == Durations::Full ? step.estimate_ms : upto(step.estimate_ms);
    if (a < attempts) ms += plan::RetryBackoffMs(a);
  }
  return {ms, !fail};
}

struct Measured {
  int64_t forward_ms = 0;
  int64_t failed_at_ms = -1;  // when the failure that starts the rollback ended
  int64_t rollback_end_ms = -1;
  int64_t window_ms = -1;
};

// The forward walk as `apply` builds it, then (after a failure) the
// rollback of every step that acted, as `apply` builds that.
Measured Simulate(const plan::Plan& plan, const Case& c, Durations kind, int64_t fail_step, std::mt19937_64& rng) {
  size_t n = plan.steps.size();
  runtime::PlannedWalk forward = runtime::ForwardWalk(plan, static_cast<int>(plan.parallelism), std::vector<bool>(n, true));
  forward.options.begin = [](std::span<const uint32_t>) {};  // claims as in a real run
  forward.options.release = [](std::span<const uint32_t>) {};
  forward.options.claim_below = std::chrono::seconds(1);
  runtime::SimulatedExecutor clock([&](uint32_t i) {
    return RunStep(plan.steps[i], kind, static_cast<int64_t>(i) == fail_step, rng);
  });
  std::vector<NodeOutcome> outcome = runtime::Walk(forward.deps, forward.runnable, forward.options, clock);
  Measured m;
  m.forward_ms = clock.now_ms();
  const std::vector<int64_t>& started = clock.started_ms();
  const std::vector<int64_t>& ended = clock.ended_ms();
  for (size_t i = 0; i < n; ++i) {
    if (c.window_from.empty() || plan.steps[i].id != c.window_to) continue;
    for (size_t f = 0; f < n; ++f)
      if (plan.steps[f].id == c.window_from && i < ended.size() && ended[i] >= 0) m.window_ms = ended[i] - started[f];
  }
  std::vector<bool> undo(n, false);
  bool failed = false;
  for (size_t i = 0; i < n; ++i) {
    failed |= outcome[i] == NodeOutcome::Failed;
    undo[i] = outcome[i] == NodeOutcome::Succeeded ||
              (outcome[i] == NodeOutcome::Failed && plan.steps[i].undo_after_failure);
  }
  if (!failed) return m;
  m.failed_at_ms = ended[fail_step];
  runtime::PlannedWalk backward = runtime::RollbackWalk(plan, static_cast<int>(plan.parallelism), undo);
  runtime::SimulatedExecutor undo_clock(
      [&](uint32_t k) {
        const plan::Step& step = plan.steps[runtime::RollbackStep(n, k)];
        int64_t max = plan::UndoTime(step, kind == Durations::Timeouts ? plan::Basis::Timeout : plan::Basis::Estimate).ms;
        return runtime::Simulated{kind == Durations::Full ? max : std::uniform_int_distribution<int64_t>(0, max)(rng),
                                  true};
      },
      m.forward_ms);
  runtime::Walk(backward.deps, backward.runnable, backward.options, undo_clock);
  m.rollback_end_ms = undo_clock.now_ms();
  return m;
}

}  // namespace

TEST_CASE("no run of the real walker ends later than the bounds the compiler proves") {
  uint64_t seed = static_cast<uint64_t>(EnvInt("SPARKC_PROPERTY_SEED", 20261203));
  int64_t cases = EnvInt("SPARKC_PROPERTY_CASES", 300);
  std::mt19937_64 rng(seed);
  int64_t rollbacks = 0, windows = 0;
  for (int64_t k = 0; k < cases; ++k) {
    Case c = RandomSpec(rng);
    plan::Plan plan = CompileCase(c);
    for (Durations kind : {Durations::Estimates, Durations::Timeouts}) {
      const plan::Bounds& forward = plan.forward;
      const plan::Bounds& rollback = plan.rollback;
      int64_t forward_bound = kind == Durations::Timeouts ? forward.hard.total_ms : forward.estimate.total_ms;
      int64_t rollback_bound = kind == Durations::Timeouts ? rollback.hard.total_ms : rollback.estimate.total_ms;
      for (int run = 0; run < 4; ++run) {
        int64_t fail = run % 2 == 0 ? std::uniform_int_distribution<int64_t>(0, plan.steps.size() - 1)(rng) : -1;
        Measured m = Simulate(plan, c, kind, fail, rng);
        INFO(c.text << "seed " << seed << ", case " << k << ", " << (kind == Durations::Timeouts ? "hard" : "estimate")
                    << ", failing step " << fail);
        REQUIRE(m.forward_ms <= forward_bound);
        if (m.rollback_end_ms >= 0) {
          ++rollbacks;
          REQUIRE(m.rollback_end_ms - m.failed_at_ms <= rollback_bound);
        }
        if (m.window_ms >= 0) {
          ++windows;
          const plan::Bounds& w = plan.windows.at(0).bound;
          REQUIRE(m.window_ms <= (kind == Durations::Timeouts ? w.hard.total_ms : w.estimate.total_ms));
        }
      }
    }
  }
  // The property was exercised, not vacuously true.
  CHECK(rollbacks > cases / 2);
  CHECK(windows > cases / 10);
}

TEST_CASE("the bound is the critical path when nothing limits parallelism, and the sum at parallelism 1") {
  std::mt19937_64 rng(7);
  for (int k = 0; k < 200; ++k) {
    Case c = RandomSpec(rng);
    plan::Plan plan = CompileCase(c);
    bool limited = false;
    for (const plan::FanOut& f : plan.fanouts) limited |= f.concurrency > 0 && f.concurrency < int64_t(f.instances.size());
    int64_t sum = 0;
    for (const plan::Step& s : plan.steps) sum += plan::ForwardTime(s, plan::Basis::Estimate).ms;
    Measured full = Simulate(plan, c, Durations::Full, -1, rng);
    INFO(c.text);
    if (plan.parallelism == 1) CHECK(plan.forward.estimate.total_ms == sum);
    // Every step at its estimate, nothing waiting: the run is the critical path, and the bound is that run.
    if (plan.parallelism >= int64_t(plan.steps.size()) && !limited)
      CHECK(plan.forward.estimate.total_ms == full.forward_ms);
    if (plan.parallelism == 1) CHECK(full.forward_ms == sum);
  }
}

TEST_CASE("a fan-out of 4 with concurrency 1 takes 4 times as long, whatever the parallelism") {
  sparkc::dag::Schedule s;
  s.preds = {{}, {0}, {0}, {0}, {0}, {1, 2, 3, 4}};
  s.ms = {60'000, 600'000, 600'000, 600'000, 600'000, 60'000};
  s.group = {-1, 0, 0, 0, 0, -1};
  s.limit = {1};
  for (int64_t workers : {0, 1, 4, 16}) {
    s.workers = workers;
    sparkc::dag::MakespanBound b = sparkc::dag::BoundMakespan(s);
    CHECK(b.total_ms == 60'000 + 4 * 600'000 + 60'000);
    // One worker is the limit that says it; more, and the fan-out's is.
    CHECK(b.groups == (workers == 1 ? std::vector<int32_t>{} : std::vector<int32_t>{0}));
    CHECK(b.workers_limit == (workers == 1));
  }
  s.limit = {2};  // two at a time: Graham's bound for two workers, 25 min (the best order takes 20)
  s.workers = 0;
  CHECK(sparkc::dag::BoundMakespan(s).total_ms == 60'000 + 1'500'000 + 60'000);
  s.limit = {0};  // no limit: the critical path
  CHECK(sparkc::dag::BoundMakespan(s).total_ms == 60'000 + 600'000 + 60'000);
  CHECK(sparkc::dag::BoundMakespan(s).groups.empty());
}

TEST_CASE("a list-scheduling anomaly (shorter steps, longer run) stays inside the bound") {
  // Graham's example, 9 tasks on 3 workers: with every task one unit
  // shorter, the greedy schedule gets longer (12 -> 13 units). T1 takes a
  // hair longer so that it ends after T4 in the shorter run, as in Graham's
  // list order (the walker takes simultaneous ends one at a time).
  sparkc::dag::Schedule s;
  s.ms = {3001, 2000, 2000, 2000, 4000, 4000, 4000, 4000, 9000};
  s.preds = {{}, {}, {}, {}, {3}, {3}, {3}, {3}, {0}};
  s.workers = 3;
  auto run = [&](int64_t shorter) {
    std::vector<std::vector<uint32_t>> deps(s.preds.begin(), s.preds.end());
    std::vector<bool> runnable(9, true);
    runtime::WalkOptions options;
    options.jobs = 3;
    runtime::SimulatedExecutor clock([&](uint32_t v) { return runtime::Simulated{s.ms[v] - shorter, true}; });
    runtime::Walk(deps, runnable, options, clock);
    return clock.now_ms();
  };
  int64_t bound = sparkc::dag::BoundMakespan(s).total_ms;
  CHECK(run(0) == 12'001);
  CHECK(run(1000) == 13'000);  // every task shorter, the run longer
  for (int64_t shorter = 0; shorter <= 2000; shorter += 100) CHECK(run(shorter) <= bound);
  // Longest path 12 s 1 ms; the workers' term adds what the others can take.
  CHECK(bound > 13'000);
}
