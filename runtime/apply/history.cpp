// Read-only views of the journal: `status` (a run step by step, what needs
// attention first), `runs` (every run) and `logs` (what a step printed).
#include <fmt/format.h>

#include <ctime>
#include <functional>
#include <map>

#include "compiler/diagnostics/diagnostics.h"
#include "compiler/plan/plan.h"
#include "compiler/source/source.h"
#include "runtime/apply/actions.h"
#include "runtime/apply/apply.h"
#include "runtime/apply/state_access.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {
namespace {

// "took 12 s" once a run has finished; a run without an end is still
// running, or its runner died (apply resumes it).
std::string Took(const RunInfo& run) {
  std::optional<int64_t> start = TimestampMs(run.started_at), end = TimestampMs(run.finished_at);
  if (!start || !end) return run.status == "running" ? "not finished" : "";
  return plan::HumanDuration(std::max<int64_t>(0, *end - *start));
}

// Steps by state; the plan's steps the journal has not seen are pending.
std::map<StepStatus, size_t> ByState(const std::map<std::string, StepRecord>& steps, size_t planned) {
  std::map<StepStatus, size_t> by_state;
  for (const auto& [id, record] : steps) ++by_state[record.status];
  if (planned > steps.size()) by_state[StepStatus::Pending] += planned - steps.size();
  return by_state;
}

// "2 succeeded, 1 failed, 2 undone", in the order of the states' lifecycle.
std::string Counts(const std::map<std::string, StepRecord>& steps, size_t planned) {
  std::string out;
  for (const auto& [state, n] : ByState(steps, planned))
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, StatusName(state));
  return out.empty() ? "no step started" : out;
}

JsonEvent CountsJson(const std::map<std::string, StepRecord>& steps, size_t planned) {
  JsonEvent out = JsonEvent::object();
  for (const auto& [state, n] : ByState(steps, planned)) out[std::string(StatusName(state))] = n;
  return out;
}

JsonEvent RunJson(const RunInfo& run) {
  std::optional<int64_t> start = TimestampMs(run.started_at), end = TimestampMs(run.finished_at);
  JsonEvent out = {{"id", run.id},
                   {"status", run.status},
                   {"started_at", run.started_at},
                   {"finished_at", run.finished_at.empty() ? JsonEvent(nullptr) : JsonEvent(run.finished_at)},
                   {"seconds", start && end ? JsonEvent(static_cast<double>(*end - *start) / 1000) : JsonEvent(nullptr)},
                   {"plan", run.digest}};
  if (!run.host.empty()) out["host"] = run.host;
  return out;
}

// Each line of a step's output as a terminal shows it literally: what a
// step printed cannot move the cursor or recolour the operator's screen.
std::string Shown(std::string_view text, std::string_view indent) {
  std::string out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    out += fmt::format("{}{}\n", indent, Printable(text.substr(begin, end - begin)));
    begin = end + 1;
  }
  return out;
}

// The last `n` lines of `text`.
std::string_view LastLines(std::string_view text, size_t n) {
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  size_t begin = text.size();
  for (size_t k = 0; k < n; ++k) {
    size_t nl = begin == 0 ? std::string_view::npos : text.rfind('\n', begin - 1);
    if (nl == std::string_view::npos) return text;
    begin = nl;
  }
  return text.substr(begin + 1);
}

// What went wrong with a step in the journal: its last failure, and whether
// the run still needs someone for it.
struct Trouble {
  int64_t attempt = 0;
  std::string action;  // "do" or "undo"
  std::string error;
};

std::map<std::string, Trouble> Troubles(const std::vector<Transition>& journal, const RunInfo& run,
                                        const std::map<std::string, StepRecord>& steps) {
  // A gate of a run rolled back since waits for nobody.
  bool rolled_back = run.status == "rolled_back" || run.status == "rollback_failed";
  std::map<std::string, Trouble> out;
  std::map<std::string, Trouble> last_failure;
  for (const Transition& t : journal) {
    if (t.status == StepStatus::Failed || t.status == StepStatus::UndoFailed || t.status == StepStatus::Blocked ||
        t.status == StepStatus::Awaiting)
      last_failure[t.step] = {t.attempt, std::string(LogAction(t.status)), t.error};
  }
  for (const auto& [id, failure] : last_failure) {
    const StepRecord& record = steps.at(id);
    // A retry that succeeded is not trouble; a failed attempt that was then
    // undone is (the run failed there).
    bool open = record.status == StepStatus::Failed || record.status == StepStatus::UndoFailed ||
                record.status == StepStatus::Blocked || (record.status == StepStatus::Awaiting && !rolled_back);
    bool last_attempt_failed = failure.attempt == record.attempts && record.status == StepStatus::Undone;
    if (open || last_attempt_failed) out[id] = failure;
  }
  return out;
}

// Each step's latest error, from the run's journal.
std::map<std::string, std::string> LastErrors(const std::vector<Transition>& journal) {
  std::map<std::string, std::string> errors;
  for (const Transition& t : journal) errors[t.step] = t.error;
  return errors;
}

std::optional<RunInfo> FindRun(StateStore& store, int64_t id, const RunOptions& options, int& code) {
  std::optional<RunInfo> run = id > 0 ? store.Run(id) : store.LastRun();
  if (run) return run;
  if (id <= 0) {
    if (options.format == OutputFormat::Json)
      *options.out << JsonLine({{"type", "status"}, {"run", nullptr}});
    else
      *options.out << fmt::format("no run recorded in `{}`\n", DisplayLocation(options.state_dir));
    code = kExitOk;
  } else {
    std::vector<RunInfo> runs = store.Runs();
    *options.err << fmt::format("sparkc: error: no run {} in `{}`{}\n", id, DisplayLocation(options.state_dir),
                                runs.empty() ? ": no run is recorded there"
                                             : fmt::format("; its runs are 1 to {} (`sparkc runs` lists them)",
                                                           runs.front().id));
    code = kExitUsage;
  }
  return std::nullopt;
}

void PrintTrouble(std::ostream& out, const std::string& step, const StepRecord& record, const Trouble& trouble,
                  StateStore& store, int64_t run) {
  std::string line = fmt::format("  {:<18} {}", StatusName(record.status), step);
  if (record.attempts > 1) line += fmt::format("  ({} attempts)", record.attempts);
  if (!trouble.error.empty()) line += "  " + trouble.error;
  out << Printable(line) << "\n";
  std::vector<StoredLog> logs = store.Logs(run, step);
  for (const StoredLog& log : logs) {
    if (log.attempt != trouble.attempt || log.action != trouble.action) continue;
    // The stream a failing command explains itself on, usually.
    std::string_view text = !log.log.err.empty() ? log.log.err : log.log.out;
    out << Shown(LastLines(text, 5), fmt::format("  {:<18} | ", ""));
  }
  if (!logs.empty()) out << fmt::format("  {:<18} all its output: sparkc logs {} --run {}\n", "", Printable(ShellWord(step)), run);
}

// `status --format json`: the run, its counts, and each step (or, with
// --failed, each that needs attention) with its last error, its approval
// and, when it needs attention, the end of its output.
std::string StatusJson(StateStore& store, const RunInfo& run, const plan::Plan& plan,
                       const std::map<std::string, StepRecord>& steps, bool failed_only) {
  JsonEvent doc = {{"type", "status"}, {"run", RunJson(run)}, {"counts", CountsJson(steps, plan.steps.size())}};
  std::map<std::string, Approval> approvals;
  JsonEvent warnings = JsonEvent::array();
  for (Approval& a : store.Approvals(run.id)) {
    if (a.step == kSignatureStep)
      doc["run"]["signed_by"] = {{"key", a.by}, {"source", a.source}, {"at", a.at}};
    else if (a.step == kUnprovenTimingStep)
      warnings.push_back({{"message", a.note}, {"source", a.source}, {"by", a.by}, {"at", a.at}});
    else approvals[a.step] = std::move(a);
  }
  doc["warnings"] = std::move(warnings);
  std::vector<Transition> journal = store.Journal(run.id);
  std::map<std::string, std::string> errors = LastErrors(journal);
  std::map<std::string, Trouble> troubles = Troubles(journal, run, steps);
  JsonEvent list = JsonEvent::array();
  for (const plan::Step& step : plan.steps) {
    auto trouble = troubles.find(step.id);
    if (failed_only && trouble == troubles.end()) continue;
    auto it = steps.find(step.id);
    StepRecord record = it == steps.end() ? StepRecord{} : it->second;
    JsonEvent entry = {{"id", step.id},
                       {"status", StatusName(record.status)},
                       {"attempts", record.attempts},
                       {"error", errors[step.id]},
                       {"needs_attention", trouble != troubles.end()}};
    if (auto a = approvals.find(step.id); a != approvals.end())
      entry["approval"] = {{"by", a->second.by}, {"source", a->second.source}, {"at", a->second.at},
                           {"note", a->second.note}};
    if (trouble != troubles.end()) {
      entry["failure"] = {{"attempt", trouble->second.attempt}, {"action", trouble->second.action},
                          {"error", trouble->second.error}};
      for (const StoredLog& log : store.Logs(run.id, step.id))
        if (log.attempt == trouble->second.attempt && log.action == trouble->second.action)
          entry["failure"]["output_tail"] = {{"stdout", std::string(LastLines(log.log.out, 5))},
                                             {"stderr", std::string(LastLines(log.log.err, 5))}};
    }
    list.push_back(std::move(entry));
  }
  doc["steps"] = std::move(list);
  return JsonLine(doc);
}

// Opens the store, runs `read` on it, and reports a store that fails
// meanwhile (E0903) as the other commands do.
int ReadingStore(const RunOptions& options, const std::function<int(StateStore&)>& read) {
  auto store = OpenStoreOrReport(options);
  if (!store) return kExitNeedsOperator;
  try {
    return read(*store);
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
}

}  // namespace

int Status(const RunOptions& options, const HistoryQuery& query) {
  return ReadingStore(options, [&](StateStore& store) -> int {
    int code = kExitOk;
    std::optional<RunInfo> run = FindRun(store, query.run, options, code);
    if (!run) return code;
    plan::Plan plan;
    std::string error;
    if (!ReadStoredPlan(*run, plan, error)) return ReportStateError(options, error);
    std::map<std::string, StepRecord> steps = store.Steps(run->id);
    if (options.format == OutputFormat::Json) {
      *options.out << StatusJson(store, *run, plan, steps, query.failed_only);
      return kExitOk;
    }
    std::string took = Took(*run);
    *options.out << fmt::format("run {}: {} (started {}{}, plan {}{})\n", run->id, run->status, run->started_at,
                                took.empty() ? "" : ", " + (took == "not finished" ? took : "took " + took),
                                run->digest, run->host.empty() ? "" : ", on " + Printable(run->host));
    *options.out << fmt::format("  {} steps: {}\n", plan.steps.size(), Counts(steps, plan.steps.size()));
    std::map<std::string, Approval> approvals;
    for (Approval& a : store.Approvals(run->id)) {
      if (a.step == kSignatureStep)
        *options.out << fmt::format("  plan signed by key {} ({}, {})\n", a.by, a.source, a.at);
      else if (a.step == kUnprovenTimingStep)
        *options.out << Printable(fmt::format("  warning: {} ({} by {}, {})", a.note, a.source, a.by, a.at)) << "\n";
      else approvals[a.step] = std::move(a);
    }
    std::vector<Transition> journal = store.Journal(run->id);
    std::map<std::string, Trouble> troubles = Troubles(journal, *run, steps);
    if (!troubles.empty()) {
      *options.out << "needs attention:\n";
      for (const plan::Step& step : plan.steps)
        if (auto t = troubles.find(step.id); t != troubles.end())
          PrintTrouble(*options.out, step.id, steps.at(step.id), t->second, store, run->id);
    } else if (query.failed_only) {
      *options.out << fmt::format("no step failed in run {}\n", run->id);
    }
    if (query.failed_only) return kExitOk;
    *options.out << "steps:\n";
    std::map<std::string, std::string> errors = LastErrors(journal);
    for (const plan::Step& step : plan.steps) {
      auto it = steps.find(step.id);
      StepRecord record = it == steps.end() ? StepRecord{} : it->second;
      std::string line = fmt::format("  {:<18} {}", StatusName(record.status), step.id);
      if (record.attempts > 1) line += fmt::format("  ({} attempts)", record.attempts);
      if (!errors[step.id].empty()) line += "  " + errors[step.id];
      if (auto a = approvals.find(step.id); a != approvals.end())
        line += fmt::format("  approved by {} ({}, {}){}", a->second.by, a->second.source, a->second.at,
                            a->second.note.empty() ? "" : ": " + a->second.note);
      *options.out << Printable(line) << "\n";
    }
    return kExitOk;
  });
}

int Runs(const RunOptions& options) {
  return ReadingStore(options, [&](StateStore& store) -> int {
    std::vector<RunInfo> runs = store.Runs();
    if (options.format == OutputFormat::Json) {
      JsonEvent list = JsonEvent::array();
      for (const RunInfo& run : runs) {
        JsonEvent entry = RunJson(run);
        entry["counts"] = CountsJson(store.Steps(run.id), 0);
        list.push_back(std::move(entry));
      }
      *options.out << JsonLine({{"type", "runs"}, {"runs", std::move(list)}});
      return kExitOk;
    }
    if (runs.empty()) {
      *options.out << fmt::format("no run recorded in `{}`\n", DisplayLocation(options.state_dir));
      return kExitOk;
    }
    *options.out << fmt::format("{:<5} {:<16} {:<25} {:<14} {:<21} {}\n", "run", "status", "started", "took", "plan",
                                "steps");
    for (const RunInfo& run : runs) {
      // The plan's size is not kept apart from the plan: the counts are of
      // the steps the run journaled.
      *options.out << fmt::format("{:<5} {:<16} {:<25} {:<14} {:<21} {}\n", run.id, run.status, run.started_at,
                                  Took(run), run.digest.substr(0, 19), Counts(store.Steps(run.id), 0));
    }
    return kExitOk;
  });
}

int Logs(const RunOptions& options, const HistoryQuery& query) {
  return ReadingStore(options, [&](StateStore& store) -> int {
    int code = kExitOk;
    std::optional<RunInfo> run = FindRun(store, query.run, options, code);
    if (!run) return code;
    std::map<std::string, StepRecord> steps = store.Steps(run->id);
    if (!steps.contains(query.step)) {
      plan::Plan plan;
      std::string error;
      if (!ReadStoredPlan(*run, plan, error)) return ReportStateError(options, error);
      std::vector<std::string> ids;
      for (const plan::Step& step : plan.steps) ids.push_back(step.id);
      bool planned = std::find(ids.begin(), ids.end(), query.step) != ids.end();
      if (planned) {
        *options.out << fmt::format("`{}` did not start in run {}\n", Printable(query.step), run->id);
        return kExitOk;
      }
      std::string close = ClosestMatch(query.step, ids);
      *options.err << fmt::format("sparkc: error: run {} has no step `{}`{}\n", run->id, Printable(query.step),
                                  close.empty() ? "" : fmt::format("\n  help: did you mean `{}`?", close));
      return kExitUsage;
    }
    std::vector<StoredLog> logs = store.Logs(run->id, query.step);
    bool shown = false;
    for (const StoredLog& log : logs) {
      if (query.attempt > 0 && log.attempt != query.attempt) continue;
      shown = true;
      *options.out << fmt::format("== {}, attempt {} ({}), ended {}\n", Printable(query.step), log.attempt,
                                  log.action == "undo" ? "its undo" : "do", log.at);
      if (!log.log.out.empty()) *options.out << (log.log.err.empty() ? "" : "stdout:\n") << Shown(log.log.out, "");
      if (!log.log.err.empty()) *options.out << (log.log.out.empty() ? "" : "stderr:\n") << Shown(log.log.err, "");
      if (log.log.truncated)
        *options.out << fmt::format("(truncated: the journal keeps the last {} KiB of each stream)\n",
                                    kLogCap / 1024);
      // The journal keeps valid UTF-8 only (CapturedLog): say what U+FFFD
      // stands for.
      constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
      if (log.log.out.find(kReplacement) != std::string::npos || log.log.err.find(kReplacement) != std::string::npos)
        *options.out << "(U+FFFD stands for bytes that were not UTF-8, replaced)\n";
    }
    if (!shown) {
      int64_t attempts = steps.at(query.step).attempts;
      if (query.attempt > attempts) {
        *options.err << fmt::format("sparkc: error: `{}` made {} attempt{} in run {}\n", Printable(query.step),
                                    attempts, attempts == 1 ? "" : "s", run->id);
        return kExitUsage;
      }
      *options.out << fmt::format("`{}` printed nothing in run {}{}\n", Printable(query.step), run->id,
                                  query.attempt > 0 ? fmt::format(" (attempt {})", query.attempt) : "");
    }
    return kExitOk;
  });
}

}  // namespace sparkc::runtime
