// What a run tells the people watching it. Every event is one line with the
// time since the run started (the CI log); on a terminal a live status line
// under the log also shows done/running/pending/failed counts, elapsed time,
// the steps running now and an estimate of what is left along the critical
// path. The reporter also keeps each step's outcome for --report/--junit.
// Thread-safe: workers report as they go.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/plan/plan.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {

enum class Verb { Start, Ok, Retry, Fail, Wait, Undo, Undone, UndoFail, Stop };

// Text lines for people, or one JSON object a line for programs
// (docs/events.md, `--format json`), or the text with GitHub Actions
// annotations for the steps that fail or wait (`--format github`).
enum class OutputFormat { Text, Json, Github };
// The version of the JSON events and documents; docs/events.md says what
// each version holds.
constexpr int kEventsVersion = 1;
// An event's fields in the order they are written.
using JsonEvent = nlohmann::ordered_json;
// One JSON line: "v", then `event`'s fields.
std::string JsonLine(const JsonEvent& event);
// A moment of a command as a whole (a run started, rolled back, finished;
// nothing to do): `text` and a newline for people (nothing when empty), or
// a "run" event with `fields`, `time` (when not negative) and the text as
// "message".
std::string RunEvent(OutputFormat format, std::string_view event, JsonEvent fields, std::string_view text,
                     double time = -1);

// One step as the reports show it.
struct StepOutcome {
  // pending, running, succeeded, failed, awaiting_approval, undone,
  // undo_failed, blocked; "succeeded" also for steps an earlier run did.
  std::string state = "pending";
  bool earlier = false;  // succeeded in an earlier invocation of this run
  bool undone = false;   // a failed step whose undo the rollback ran (state stays "failed")
  int attempts = 0;
  double started = 0;    // when its latest attempt started, seconds into the run
  double seconds = 0;    // time spent in its attempts
  std::string message;   // why it failed or waits
  std::string output;    // the tail of what it printed when it failed
  std::string approved_by, approval_source;
};

class Reporter {
 public:
  // `jobs`: the steps the run starts at once, for the time left.
  // `source_dir`: where the plan's step sources ("file:line") are, for
  // annotations.
  Reporter(std::ostream& out, const plan::Plan& plan, bool live, int jobs, OutputFormat format = OutputFormat::Text,
           std::string source_dir = {});
  ~Reporter();
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  void Event(Verb verb, uint32_t step, std::string_view detail = {});
  // Marks a step an earlier invocation of this run already finished.
  void Earlier(uint32_t step);
  // The attempts the journal already holds of a step of a resumed run (or
  // one being rolled back): the next is numbered after them, as journaled.
  void Attempted(uint32_t step, int64_t attempts);
  void Approved(uint32_t step, const std::string& by, const std::string& source);
  // The captured output of a failed action, as indented lines; JSON events
  // take `log`'s streams (their last 2000 bytes each) where one is given,
  // unless its lines went out live (OutputLine).
  void Output(uint32_t step, std::string_view text, const AttemptLog* log = nullptr);
  // Whether the JSON stream wants each line a step prints as it prints it.
  bool StreamsOutput() const { return format_ == OutputFormat::Json; }
  // One line a step printed on stream 1 (stdout) or 2 (stderr), live.
  void OutputLine(uint32_t step, int stream, std::string_view line);
  void Line(std::string_view text);
  // A moment of the run as a whole (started, rollback_started, finished):
  // `text` for people (nothing when empty), the fields for programs.
  void Milestone(std::string_view event, JsonEvent fields, std::string_view text);
  // Asks a question at the terminal (the status line is cleared first) and
  // returns the answer without its newline. One question at a time; the
  // other steps go on meanwhile, their lines held until the answer.
  std::string Ask(std::string_view question);

  std::vector<StepOutcome> Outcomes() const;
  double Elapsed() const;

 private:
  void WriteLocked(std::string_view text);
  void DrawLocked();
  std::string StatusLocked() const;
  int64_t RemainingMsLocked() const;

  std::ostream& out_;
  const plan::Plan& plan_;
  const bool live_;
  const OutputFormat format_;
  const std::string source_dir_;
  std::string AnnotationsLocked() const;
  // One "output" event of the JSON stream.
  std::string OutputEvent(uint32_t step, std::string_view stream, std::string_view line, double time) const;
  const std::chrono::steady_clock::time_point start_;
  std::vector<std::vector<uint32_t>> dependents_;
  int jobs_;
  std::vector<StepOutcome> steps_;
  std::vector<bool> streamed_;  // this attempt's output went out live
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool drawn_ = false;
  std::mutex ask_mutex_;  // one question at a time
  bool asking_ = false;
  std::string held_;      // lines written while a question waits
  std::thread ticker_;  // redraws the live line once a second
};

}  // namespace sparkc::runtime
