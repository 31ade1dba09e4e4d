#include "runtime/apply/reporter.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "compiler/dag/bound.h"
#include "compiler/diagnostics/github.h"
#include "compiler/plan/step_time.h"
#include "compiler/plan/time_bounds.h"
#include "compiler/source/color.h"
#include "compiler/source/source.h"
#include "runtime/secret/secret.h"

namespace sparkc::runtime {
namespace {

constexpr const char* kVerbNames[] = {"start", "ok", "retry", "FAIL", "WAIT", "undo", "undone", "FAIL", "STOP"};
// The same events in the JSON stream: what happened to the step.
constexpr const char* kVerbEvents[] = {"started", "succeeded",   "retrying", "failed", "awaiting_approval",
                                       "undoing", "undone",      "undo_failed", "blocked"};
constexpr const char* kClearLine = "\r\033[K";

int TerminalWidth() {
  winsize size = {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return 100;
}

std::string Clock(int64_t ms) {
  int64_t s = ms / 1000;
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

// Seconds with millisecond precision, as the events carry them.
double Rounded(double seconds) { return static_cast<double>(static_cast<int64_t>(seconds * 1000 + 0.5)) / 1000; }

}  // namespace

std::string JsonLine(const JsonEvent& event) {
  JsonEvent line;
  line["v"] = kEventsVersion;
  for (const auto& [key, value] : event.items()) line[key] = value;
  // Text is valid UTF-8 by the time it gets here; replace, never throw.
  return line.dump(-1, ' ', false, JsonEvent::error_handler_t::replace) + "\n";
}

Reporter::Reporter(std::ostream& out, const plan::Plan& plan, bool live, int jobs, OutputFormat format,
                   std::string source_dir)
    : out_(out), plan_(plan), live_(live && format != OutputFormat::Json), format_(format),
      source_dir_(std::move(source_dir)),
      start_(std::chrono::steady_clock::now()),
      dependents_(plan.steps.size()), jobs_(jobs), steps_(plan.steps.size()),
      streamed_(plan.steps.size(), false) {
  std::map<std::string, uint32_t> index;
  for (uint32_t i = 0; i < plan.steps.size(); ++i) index[plan.steps[i].id] = i;
  for (uint32_t i = 0; i < plan.steps.size(); ++i)
    for (const std::string& before : plan.steps[i].after)
      if (auto it = index.find(before); it != index.end()) dependents_[it->second].push_back(i);
  if (live_) {
    ticker_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) DrawLocked();
    });
  }
}

Reporter::~Reporter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (drawn_) out_ << kClearLine << std::flush;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

double Reporter::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Reporter::Event(Verb verb, uint32_t step, std::string_view detail) {
  double now = Elapsed();
  std::string redacted = ValidUtf8(Redact(std::string(detail)));
  std::lock_guard lock(mutex_);
  StepOutcome& s = steps_[step];
  auto end_attempt = [&](const char* state) {
    if (s.state == "running") s.seconds += now - s.started;
    s.state = state;
    s.message = redacted;
  };
  switch (verb) {
    case Verb::Start:
      streamed_[step] = false;
      s.state = "running";
      s.started = now;
      ++s.attempts;
      break;
    // A failed step that is undone stays a failure in the reports, marked
    // undone; a succeeded one becomes "undone".
    case Verb::Undo:
      if (s.state != "failed") s.state = "undoing";
      break;
    case Verb::Ok: end_attempt("succeeded"); break;
    case Verb::Retry: end_attempt("failed"); break;
    case Verb::Fail: end_attempt("failed"); break;
    case Verb::Wait: end_attempt("awaiting_approval"); break;
    case Verb::Undone:
      if (s.state == "failed") s.undone = true;
      else s.state = "undone";
      break;
    case Verb::UndoFail: s.state = "undo_failed"; s.message = redacted; break;
    case Verb::Stop: s.state = "blocked"; s.message = redacted; break;
  }
  if (format_ == OutputFormat::Json) {
    JsonEvent event = {{"type", "step"},
                            {"time", Rounded(now)},
                            {"step", plan_.steps[step].id},
                            {"event", kVerbEvents[static_cast<int>(verb)]},
                            {"attempt", s.attempts}};
    bool ended = verb == Verb::Ok || verb == Verb::Retry || verb == Verb::Fail || verb == Verb::Wait;
    if (ended) event["seconds"] = Rounded(s.seconds);
    if (!redacted.empty()) event["message"] = redacted;
    WriteLocked(JsonLine(event));
    return;
  }
  static constexpr std::optional<Paint> kVerbPaints[] = {std::nullopt, Paint::Ok,   Paint::Warning,
                                                         Paint::Fail,  Paint::Wait, Paint::Undo,
                                                         Paint::Undo,  Paint::Fail, Paint::Fail};
  std::string label = fmt::format("{:<6}", kVerbNames[static_cast<int>(verb)]);
  if (auto paint = kVerbPaints[static_cast<int>(verb)]) label = Painted(Stream::Out, *paint, label);
  WriteLocked(fmt::format("{} {} {}{}{}\n", Painted(Stream::Out, Paint::Dim, fmt::format("[{:8.2f}s]", now)), label,
                          Printable(plan_.steps[step].id), redacted.empty() ? "" : "  ", Printable(redacted)));
}

std::string RunEvent(OutputFormat format, std::string_view event, JsonEvent fields, std::string_view text,
                     double time) {
  if (format != OutputFormat::Json) return text.empty() ? "" : Printable(text) + "\n";
  JsonEvent line = {{"type", "run"}};
  if (time >= 0) line["time"] = Rounded(time);
  line["event"] = event;
  for (auto& [key, value] : fields.items()) line[key] = std::move(value);
  if (!text.empty()) line["message"] = ValidUtf8(Redact(std::string(text)));
  return JsonLine(line);
}

// At the end of a run: each step that failed, could not be undone, stops
// the rollback or waits for a person, annotated at its source in the spec
// with why and the end of its output.
std::string Reporter::AnnotationsLocked() const {
  std::string out;
  for (size_t k = 0; k < steps_.size(); ++k) {
    const StepOutcome& outcome = steps_[k];
    const char* what = outcome.state == "failed"              ? "failed"
                       : outcome.state == "undo_failed"       ? "could not be undone"
                       : outcome.state == "blocked"           ? "stops the rollback"
                       : outcome.state == "awaiting_approval" ? "waits for approval"
                                                              : nullptr;
    if (what == nullptr) continue;
    const plan::Step& s = plan_.steps[k];
    std::vector<std::pair<std::string, std::string>> properties;
    if (size_t colon = s.source.rfind(':'); colon != std::string::npos) {
      std::string file = s.source.substr(0, colon);
      if (!source_dir_.empty() && !file.starts_with("std/")) file = source_dir_ + "/" + file;
      properties = {{"file", file}, {"line", s.source.substr(colon + 1)}};
    }
    properties.emplace_back("title", fmt::format("sparkc: step {} {}", s.id, what));
    std::string message = outcome.message;
    if (outcome.undone) message += " (its undo ran)";
    if (!outcome.output.empty()) message += "\n" + outcome.output;
    out += GithubCommand(outcome.state == "awaiting_approval" ? "warning" : "error", properties, message);
  }
  return out;
}

void Reporter::Milestone(std::string_view event, JsonEvent fields, std::string_view text) {
  std::lock_guard lock(mutex_);
  std::string line = RunEvent(format_, event, std::move(fields), text, Elapsed());
  if (format_ == OutputFormat::Github && event == "finished") line += AnnotationsLocked();
  if (!line.empty()) WriteLocked(line);
}

void Reporter::Earlier(uint32_t step) {
  std::lock_guard lock(mutex_);
  steps_[step].state = "succeeded";
  steps_[step].earlier = true;
}

void Reporter::Attempted(uint32_t step, int64_t attempts) {
  std::lock_guard lock(mutex_);
  steps_[step].attempts = static_cast<int>(attempts);
}

void Reporter::Approved(uint32_t step, const std::string& by, const std::string& source) {
  std::lock_guard lock(mutex_);
  steps_[step].approved_by = by;
  steps_[step].approval_source = source;
}

void Reporter::Output(uint32_t step, std::string_view text, const AttemptLog* log) {
  std::string redacted = ValidUtf8(Redact(std::string(text)));
  std::lock_guard lock(mutex_);
  steps_[step].output = redacted;
  std::string lines;
  if (format_ == OutputFormat::Json) {
    double now = Rounded(Elapsed());
    auto each_line = [&](std::string_view rest, const char* stream) {
      while (!rest.empty()) {
        size_t nl = rest.find('\n');
        lines += OutputEvent(step, stream, rest.substr(0, nl), now);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      }
    };
    // A log is redacted and valid UTF-8 already (CapturedLog).
    if (log != nullptr && streamed_[step]) return;
    if (log != nullptr) {
      each_line(TailUtf8(log->out, 2000), "stdout");
      each_line(TailUtf8(log->err, 2000), "stderr");
    } else {
      each_line(redacted, "message");
    }
    WriteLocked(lines);
    return;
  }
  std::string_view rest = redacted;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    lines += fmt::format("             | {}\n", Printable(rest.substr(0, nl)));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  WriteLocked(lines);
}

std::string Reporter::OutputEvent(uint32_t step, std::string_view stream, std::string_view line, double time) const {
  return JsonLine({{"type", "output"}, {"time", time}, {"step", plan_.steps[step].id}, {"stream", stream}, {"line", line}});
}

void Reporter::OutputLine(uint32_t step, int stream, std::string_view line) {
  std::string redacted = ValidUtf8(Redact(std::string(line)));
  std::lock_guard lock(mutex_);
  streamed_[step] = true;
  WriteLocked(OutputEvent(step, stream == 1 ? "stdout" : "stderr", redacted, Rounded(Elapsed())));
}

// Lines name steps, whose ids may hold anything a plan file can.
void Reporter::Line(std::string_view text) {
  std::lock_guard lock(mutex_);
  if (format_ == OutputFormat::Json)
    WriteLocked(JsonLine({{"type", "message"}, {"time", Rounded(Elapsed())}, {"text", ValidUtf8(text)}}));
  else
    WriteLocked(Printable(text) + "\n");
}

std::string Reporter::Ask(std::string_view question) {
  std::lock_guard ask(ask_mutex_);
  {
    std::lock_guard lock(mutex_);
    if (drawn_) out_ << kClearLine;
    drawn_ = false;
    asking_ = true;
    out_ << question << std::flush;
  }
  std::string answer;
  if (!std::getline(std::cin, answer)) answer.clear();
  std::lock_guard lock(mutex_);
  asking_ = false;
  out_ << held_;
  held_.clear();
  if (live_) DrawLocked();
  out_.flush();
  return answer;
}

std::vector<StepOutcome> Reporter::Outcomes() const {
  std::lock_guard lock(mutex_);
  return steps_;
}

// On a terminal the status line is redrawn under each new log line.
void Reporter::WriteLocked(std::string_view text) {
  if (asking_) {
    held_ += text;
    return;
  }
  if (drawn_) out_ << kClearLine;
  out_ << text;
  drawn_ = false;
  if (live_) DrawLocked();
  out_.flush();
}

void Reporter::DrawLocked() {
  if (!live_ || stopping_ || asking_) return;
  std::string status = StatusLocked();
  auto width = static_cast<size_t>(TerminalWidth() - 1);
  bool failing = status.find(" 0 failed") == std::string::npos;
  status = HeadUtf8(Printable(status), width - 3);
  if (failing) status = Painted(Stream::Out, Paint::Fail, status);
  out_ << kClearLine << status << std::flush;
  drawn_ = true;
}

std::string Reporter::StatusLocked() const {
  size_t done = 0, failed = 0, pending = 0;
  std::vector<std::string> running;
  for (size_t i = 0; i < steps_.size(); ++i) {
    const std::string& state = steps_[i].state;
    if (state == "running" || state == "undoing") running.push_back(plan_.steps[i].id);
    else if (state == "pending" || state == "awaiting_approval") ++pending;
    else if (state == "failed" || state == "undo_failed" || state == "blocked") ++failed;
    else ++done;
  }
  auto elapsed = static_cast<int64_t>(Elapsed() * 1000);
  std::string line = fmt::format("{}/{} done, {} running, {} pending, {} failed | {} elapsed", done,
                                 steps_.size(), running.size(), pending, failed, Clock(elapsed));
  if (int64_t left = RemainingMsLocked(); left > 0) line += fmt::format(", at most {} left", Clock(left));
  if (!running.empty()) {
    line += " | ";
    for (size_t i = 0; i < running.size(); ++i) line += (i ? ", " : "") + running[i];
  }
  return line;
}

// The plan's bound (plan::TimeModel's argument) over the steps not yet
// finished, at the run's parallelism: a running step counts with what is
// left of its estimate, retries included. It holds while the steps keep to
// their estimates; past one, it is what is left if the rest do.
int64_t Reporter::RemainingMsLocked() const {
  double now = Elapsed();
  size_t n = steps_.size();
  std::vector<int64_t> node(n, -1);
  dag::Schedule left;
  plan::FanOutGroups groups = plan::GroupsOf(plan_.steps, plan_.fanouts);
  left.limit = groups.limit;
  left.workers = jobs_;
  for (size_t k = 0; k < n; ++k) {  // plan order is topological
    const StepOutcome& s = steps_[k];
    bool running = s.state == "running";
    if (!running && s.state != "pending" && s.state != "awaiting_approval") continue;
    int64_t ms = plan::ForwardTime(plan_.steps[k], plan::Basis::Estimate).ms;
    if (running) ms = std::max<int64_t>(0, ms - static_cast<int64_t>((now - s.started) * 1000));
    node[k] = static_cast<int64_t>(left.ms.size());
    left.ms.push_back(ms);
    left.group.push_back(groups.group[k]);
    left.preds.emplace_back();
  }
  for (size_t k = 0; k < n; ++k)
    for (uint32_t d : dependents_[k])
      if (node[k] >= 0 && node[d] >= 0) left.preds[node[d]].push_back(static_cast<uint32_t>(node[k]));
  return left.ms.empty() ? 0 : dag::BoundMakespan(left).total_ms;
}

}  // namespace sparkc::runtime
