#include "tools/sparkc/driver.h"

#include <charconv>
#include <chrono>
#include <fmt/format.h>

#include <iostream>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <sstream>
#include <fstream>
#include <memory>

#include <llvm/Support/BuryPointer.h>

#include "compiler/compile/compile.h"
#include "compiler/plan/argo.h"
#include "compiler/plan/diff.h"
#include "compiler/plan/markdown.h"
#include "compiler/plan/signature.h"
#include "compiler/plan/time_bounds.h"
#include "runtime/apply/apply.h"
#include "runtime/apply/step.h"
#include "runtime/state/store.h"
#include "runtime/engine/slurm.h"
#include "runtime/exec/process.h"
#include "runtime/secret/secret.h"
#include "compiler/source/color.h"
#include "tools/sparkc/completions.h"
#include "tools/sparkc/fmt_command.h"
#include "tools/lsp/server.h"
#include "tools/sparkc/vars.h"

namespace sparkc {
namespace {

using namespace runtime;

struct Options {
  std::vector<std::string> files;
  std::string format = "text";
  std::string output;
  std::string plan_format = "yaml";
  std::string code;
  RunOptions run;
  std::vector<std::string> approvals;
  std::string approvals_file;
  std::string progress = "auto";
  std::string on_failure = "rollback";
  bool dry_run = false;
  std::string key;
  bool rollback_graph = false;
  bool timings = false;
  bool exits_after = false;  // see Main
  std::vector<std::string> vars;  // --var NAME=VALUE
  std::string var_file;
  ParamValues params;             // what vars, var_file and SPARKC_VAR_* give
  HistoryQuery history;           // status, logs
  std::string step_verb;          // sparkc step VERB PLAN [STEP]
  std::string step_plan;
  std::string engine = "local";   // apply --engine
  EngineOptions engine_options;
  bool follow = false;            // status --follow
  std::string note;               // approve --note
  std::string export_to = "argo";
  plan::ArgoOptions argo;
  StepRequest step;
};

// `--timings`: where a compile spent its time, on stderr.
void PrintTimings(const std::vector<PhaseTime>& timings, std::ostream& err) {
  double total = 0;
  for (const PhaseTime& t : timings) {
    err << fmt::format("  {:<20} {:8.3f} s\n", t.phase, t.seconds);
    total += t.seconds;
  }
  err << fmt::format("  {:<20} {:8.3f} s\n", "total", total);
}

void Render(const Diagnostics& diags, const std::string& format, std::ostream& out, std::ostream& err) {
  if (format == "json") RenderJson(diags, out);
  else if (format == "sarif") RenderSarif(diags, SPARKC_VERSION, out);
  else if (format == "github") {
    // Annotations for the runner on stdout, the full text in the log.
    RenderGithub(diags, out);
    RenderText(diags, err);
  } else RenderText(diags, err);
}

int Check(const Options& o, std::ostream& out, std::ostream& err) {
  SourceManager sources;
  Diagnostics diags(sources);
  size_t steps = 0;
  std::vector<PhaseTime> timings;
  for (const std::string& file : o.files) {
    // What the last compile built may be left to the OS (Options::exits_after).
    bool keep = o.exits_after && &file == &o.files.back();
    auto plan = std::make_unique<plan::Plan>();
    CompileOptions options{
        .params = &o.params, .digest = false, .timings = o.timings ? &timings : nullptr, .free_memory = !keep};
    if (Compile(file, sources, diags, *plan, options)) steps += plan->steps.size();
    if (keep) llvm::BuryPointer(std::move(plan));
  }
  Render(diags, o.format, out, err);
  if (!diags.has_errors() && o.format == "text")
    err << fmt::format("ok: {} file{}, {} step{}\n", o.files.size(), o.files.size() == 1 ? "" : "s",
                       steps, steps == 1 ? "" : "s");
  if (o.timings) PrintTimings(timings, err);
  return diags.has_errors() ? kExitInvalid : kExitOk;
}

// A plan from a .spark spec (compiled now) or from a plan file (verified;
// `file_sha256`, when given, gets plan::Sha256 of the bytes it was read from).
// The plan's line at `at` with a caret, or "" when the place is unknown.
bool ObtainPlan(const std::string& path, std::ostream& err, plan::Plan& plan, std::string* file_sha256 = nullptr,
                const ParamValues* params = nullptr);

std::string SourceExcerpt(const std::string& text, plan::TextPosition at) {
  if (at.line == 0) return {};
  SourceFile file("", "", text);
  std::string_view line = file.LineText(at.line);
  auto offset = static_cast<uint32_t>(line.data() - file.text().data());
  for (uint32_t column = 1; column < at.column && offset < text.size(); ++column)
    do ++offset; while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80);
  std::ostringstream out;
  RenderSnippet(file, {0, offset, offset + 1}, out);
  return out.str();
}

bool ObtainPlan(const std::string& path, std::ostream& err, plan::Plan& plan, std::string* file_sha256,
                const ParamValues* params) {
  if (std::filesystem::path(path).extension() == ".spark") {
    SourceManager sources;
    Diagnostics diags(sources);
    bool ok = Compile(path, sources, diags, plan, {.params = params});
    RenderText(diags, err);
    return ok;
  }
  if (params != nullptr && !params->empty()) {
    const ParamValue& first = params->begin()->second;
    err << fmt::format("sparkc: error: `{}`: a plan file was built with its parameters' values (`params` in it); "
                       "they cannot change now\n"
                       "  help: make a new plan with `sparkc plan SPEC --var ...` and review it\n",
                       first.source);
    return false;
  }
  std::string text, error;
  if (!ReadFile(path, text, error)) {
    err << fmt::format("sparkc: error[E0001]: cannot read `{}`: {}\n", path, error);
    return false;
  }
  plan::TextPosition at;
  switch (plan::LoadPlan(text, plan, error, &at)) {
    case plan::LoadStatus::Ok:
      if (file_sha256 != nullptr) *file_sha256 = plan::Sha256(text);
      return true;
    case plan::LoadStatus::Invalid:
      err << fmt::format("{}{}: error[E0901]: not a valid plan: {}\n{}"
                         "  help: regenerate it with `sparkc plan SPEC -o {}`\n",
                         path, at.line > 0 ? fmt::format(":{}:{}", at.line, at.column) : "", error,
                         SourceExcerpt(text, at), path);
      return false;
    case plan::LoadStatus::DigestMismatch:
      err << fmt::format("{}: error[E0902]: the plan was modified after it was generated: {}\n"
                         "  help: plans are applied exactly as reviewed; regenerate it with `sparkc plan`\n",
                         path, error);
      return false;
  }
  return false;
}

int Plan(const Options& o, std::ostream& out, std::ostream& err) {
  SourceManager sources;
  Diagnostics diags(sources);
  auto owned_plan = std::make_unique<plan::Plan>();
  plan::Plan& plan = *owned_plan;
  // Left to the OS when the process exits next, like what the compile built.
  if (o.exits_after) llvm::BuryPointer(std::move(owned_plan));
  std::vector<PhaseTime> timings;
  CompileOptions options{.params = &o.params, .timings = o.timings ? &timings : nullptr, .free_memory = !o.exits_after};
  bool ok = Compile(o.files.at(0), sources, diags, plan, options);
  RenderText(diags, err);
  if (!ok) {
    if (o.timings) PrintTimings(timings, err);
    return kExitInvalid;
  }
  auto emit_start = std::chrono::steady_clock::now();
  std::string text = o.plan_format == "json"       ? plan::EmitJson(plan)
                     : o.plan_format == "markdown" ? plan::PlanMarkdown(plan)
                                                   : plan::EmitYaml(plan);
  if (o.timings) {
    timings.push_back({"emit", std::chrono::duration<double>(std::chrono::steady_clock::now() - emit_start).count()});
    PrintTimings(timings, err);
  }
  if (o.output.empty() || o.output == "-") {
    out << text;
    return kExitOk;
  }
  std::string error;
  if (!WriteFileAtomically(o.output, text, error)) {
    err << fmt::format("sparkc: error: cannot write `{}`: {}\n", o.output, error);
    return kExitInvalid;
  }
  err << fmt::format("wrote {} ({} steps, {})\n", o.output, plan.steps.size(), plan.digest);
  err << fmt::format("  the run ends within {} by estimate, {} by timeouts ({} steps at once)\n",
                     plan::BoundText(plan.forward.estimate), plan::BoundText(plan.forward.hard), plan.parallelism);
  err << fmt::format("  a rollback ends within {} by estimate, {} by timeouts, of the failure that starts it\n",
                     plan::BoundText(plan.rollback.estimate), plan::BoundText(plan.rollback.hard));
  return kExitOk;
}

// A signed plan is a file; a spec compiled on the spot was never reviewed.
bool CheckSignature(Options& o, const std::string& digest, std::ostream& err) {
  const std::string& path = o.files.at(0);
  std::string text, error;
  if (std::filesystem::path(path).extension() == ".spark") {
    err << fmt::format("sparkc: error[E0904]: --require-signature needs a signed plan file, not the spec `{}`\n"
                       "  help: sparkc plan {} -o plan.yaml && sparkc sign plan.yaml --key KEY.pem\n", path, path);
    return false;
  }
  std::string sig_path = plan::SignaturePath(path);
  if (!ReadFile(sig_path, text, error)) {
    err << fmt::format("sparkc: error[E0904]: `{}` is not signed: cannot read `{}`: {}\n"
                       "  help: sign it with `sparkc sign {} --key KEY.pem`\n", path, sig_path, error, path);
    return false;
  }
  if (!plan::VerifyDigest(digest, text, o.run.require_signature, error)) {
    err << fmt::format("{}: error[E0904]: {}\n", sig_path, error);
    return false;
  }
  o.run.signature_text = text;
  return true;
}

int SignCommand(const Options& o, std::ostream& out, std::ostream& err) {
  plan::Plan plan;
  const std::string& path = o.files.at(0);
  if (std::filesystem::path(path).extension() == ".spark") {
    err << fmt::format("sparkc: error: sign a plan file, not the spec `{}`\n", path);
    return kExitUsage;
  }
  if (!ObtainPlan(path, err, plan)) return kExitInvalid;
  std::string signature, error;
  if (!plan::SignDigest(plan.digest, o.key, signature, error)) {
    err << fmt::format("sparkc: error[E0904]: {}\n", error);
    return kExitInvalid;
  }
  std::string sig_path = plan::SignaturePath(path);
  if (!WriteFileAtomically(sig_path, signature, error)) {
    err << fmt::format("sparkc: error: cannot write `{}`: {}\n", sig_path, error);
    return kExitInvalid;
  }
  out << fmt::format("signed {} ({}) into {}\n", path, plan.digest, sig_path);
  return kExitOk;
}

// A terminal gets prompts and the live view; CI (CI set, or no terminal)
// gets neither.
void ChooseTerminalMode(Options& o) {
  // JSON events are for a program: no status line, no prompts.
  bool terminal = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && std::getenv("CI") == nullptr &&
                  o.run.format != OutputFormat::Json;
  o.run.interactive = terminal;
  o.run.live = o.run.format != OutputFormat::Json && (o.progress == "live" || (o.progress == "auto" && terminal));
}

// --approve IDs are the invoking operator's; an approvals file names its own.
bool GatherApprovals(Options& o, const plan::Plan& plan, std::ostream& err) {
  if (!o.approvals_file.empty()) {
    std::string error;
    if (!LoadApprovals(o.approvals_file, plan, o.run.approvals, error)) {
      err << fmt::format("sparkc: error: {}\n", error);
      return false;
    }
  }
  for (const std::string& id : o.approvals) {
    bool known = std::any_of(plan.steps.begin(), plan.steps.end(), [&](const plan::Step& s) { return s.id == id; });
    if (!known) {
      err << fmt::format("sparkc: error: --approve {}: the plan has no step `{}`\n", id, id);
      return false;
    }
    o.run.approvals[id] = {id, o.run.approver, {}, "--approve", NowTimestamp()};
  }
  return true;
}

// A plan file the state store has read before, whose run already finished:
// answered from the SHA-256 of its bytes, without parsing it. Only when
// nothing asked for needs the plan itself (approvals, reports, a dry run).
std::optional<int> ApplyKnownPlan(Options& o, std::ostream& err) {
  const std::string& path = o.files.at(0);
  std::string text, error;
  if (std::filesystem::path(path).extension() == ".spark" || !ReadFile(path, text, error)) return std::nullopt;
  RunOptions lookup = o.run;
  lookup.plan_file_sha256 = plan::Sha256(text);
  bool needs_plan = o.dry_run || !o.approvals.empty() || !o.approvals_file.empty() ||
                    !o.run.report_json.empty() || !o.run.report_junit.empty();
  if (needs_plan) return std::nullopt;
  std::optional<std::string> digest = KnownPlanDigest(lookup);
  if (!digest) return std::nullopt;
  if (!o.run.require_signature.empty() && !CheckSignature(o, *digest, err)) return kExitInvalid;
  return ReportAlreadyApplied(*digest, o.run);
}

// SPARKC_CLAIM_BELOW_MS: how short steps must be on average for apply to
// begin several with one commit (0: one commit per start).
bool ReadClaimThreshold(RunOptions& run, std::ostream& err) {
  const char* value = std::getenv("SPARKC_CLAIM_BELOW_MS");
  if (value == nullptr || *value == '\0') return true;
  std::string_view text(value);
  int64_t ms = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || end != text.data() + text.size() || ms < 0) {
    err << fmt::format("sparkc: error: SPARKC_CLAIM_BELOW_MS must be a whole number of milliseconds, found `{}`\n",
                       text);
    return false;
  }
  run.claim_below = std::chrono::milliseconds(ms);
  return true;
}

int ApplyCommand(Options& o, std::ostream& err) {
  if (!ReadClaimThreshold(o.run, err)) return kExitUsage;
  if (std::optional<int> done = ApplyKnownPlan(o, err)) return *done;
  plan::Plan plan;
  // Apply remembers the bytes it was given, for ApplyKnownPlan next time.
  if (!ObtainPlan(o.files.at(0), err, plan, &o.run.plan_file_sha256, &o.params)) return kExitInvalid;
  if (!o.run.require_signature.empty() && !CheckSignature(o, plan.digest, err)) return kExitInvalid;
  if (!GatherApprovals(o, plan, err)) return kExitUsage;
  // A spec's step sources are relative to its directory; annotations need
  // them relative to where sparkc runs (the repository, in CI).
  if (std::filesystem::path spec(o.files.at(0)); spec.extension() == ".spark")
    o.run.source_dir = spec.parent_path().string();
  o.run.plan_path = o.files.at(0);
  ChooseTerminalMode(o);
  o.run.rollback_on_failure = o.on_failure == "rollback";
  if (o.dry_run) return o.engine == "slurm" ? DryRunOnSlurm(plan, o.run, o.engine_options) : DryRun(plan, o.run);
  if (o.engine == "slurm") return ApplyOnSlurm(plan, o.run, o.engine_options, *CommandLineSlurm());
  return Apply(plan, o.run);
}

int StepCommand(Options& o, std::ostream& err) {
  static const std::map<std::string, StepVerb> verbs = {{"begin", StepVerb::Begin}, {"do", StepVerb::Do},
                                                        {"undo", StepVerb::Undo}, {"check", StepVerb::Check},
                                                        {"finish", StepVerb::Finish}};
  o.step.verb = verbs.at(o.step_verb);
  bool needs_step = o.step.verb == StepVerb::Do || o.step.verb == StepVerb::Undo || o.step.verb == StepVerb::Check;
  if (needs_step && o.step.step.empty()) {
    err << fmt::format("sparkc: error: `sparkc step {}` needs a step: sparkc step {} PLAN STEP --run N\n", o.step_verb,
                       o.step_verb);
    return kExitUsage;
  }
  if (!needs_step && !o.step.step.empty()) {
    err << fmt::format("sparkc: error: `sparkc step {}` takes no step (found `{}`)\n", o.step_verb, o.step.step);
    return kExitUsage;
  }
  if (o.step.verb != StepVerb::Begin && o.step.run == 0) {
    err << fmt::format("sparkc: error: `sparkc step {}` needs --run N (the number `sparkc step begin` printed)\n",
                       o.step_verb);
    return kExitUsage;
  }
  if (o.engine == "slurm" && o.step.verb != StepVerb::Finish) {
    err << fmt::format("sparkc: error: `--engine` is for `sparkc step finish`, not `sparkc step {}`\n", o.step_verb);
    return kExitUsage;
  }
  plan::Plan plan;
  if (!ObtainPlan(o.step_plan, err, plan)) return kExitInvalid;
  o.run.plan_path = o.step_plan;
  if (o.engine == "slurm")
    o.step.rollback = [&o](const plan::Plan& p, const RunOptions& options, int64_t run) {
      return RollBackOnSlurm(p, options, run, o.step_plan, *CommandLineSlurm());
    };
  return RunStepCommand(plan, o.run, o.step);
}

int ExportCommand(const Options& o, std::ostream& out, std::ostream& err) {
  if (!IsPostgresUrl(o.argo.state) || DisplayLocation(o.argo.state).find("***") != std::string::npos) {
    err << fmt::format("sparkc: error: --state must be a postgres:// URL without a password (found `{}`)\n"
                       "  help: the Workflow is stored and shown in clear; put the password in a Kubernetes secret "
                       "and name it with --password-secret NAME/KEY\n",
                       DisplayLocation(o.argo.state));
    return kExitUsage;
  }
  if (!o.argo.password_secret.empty() && o.argo.password_secret.find('/') == std::string::npos) {
    err << fmt::format("sparkc: error: --password-secret takes NAME/KEY, found `{}`\n", o.argo.password_secret);
    return kExitUsage;
  }
  plan::Plan plan;
  if (std::string problem = plan::ArgoOptionsProblem(o.argo); !problem.empty()) {
    err << "sparkc: error: " << problem << "\n";
    return kExitUsage;
  }
  if (!ObtainPlan(o.files.at(0), err, plan)) return kExitInvalid;
  if (std::string problem = plan::ArgoPlanProblem(plan); !problem.empty()) {
    err << "sparkc: error: " << problem << "\n";
    return kExitInvalid;
  }
  std::string yaml = plan::EmitArgoWorkflow(plan, o.argo), error;
  if (o.output.empty() || o.output == "-") {
    out << yaml;
    return kExitOk;
  }
  if (!WriteFileAtomically(o.output, yaml, error)) {
    err << fmt::format("sparkc: error: cannot write `{}`: {}\n", o.output, error);
    return kExitUsage;
  }
  return kExitOk;
}

// Like diff(1): 0 equal, 1 different, 2 when a plan cannot be read.
int DiffCommand(const Options& o, std::ostream& out, std::ostream& err) {
  plan::Plan old_plan, new_plan;
  if (!ObtainPlan(o.files.at(0), err, old_plan) || !ObtainPlan(o.files.at(1), err, new_plan))
    return kExitUsage;
  plan::PlanDiff diff = plan::ComputeDiff(old_plan, new_plan);
  if (o.format == "json") out << plan::DiffJson(diff);
  else if (o.format == "markdown") out << plan::DiffMarkdown(diff, old_plan, new_plan);
  else out << plan::DiffText(diff);
  return diff.empty() ? kExitOk : 1;
}

int Explain(const Options& o, std::ostream& out, std::ostream& err) {
  DiagnosticKind kind;
  if (!FindDiagnostic(o.code, kind)) {
    err << fmt::format("sparkc: error: no diagnostic has the code `{}`\n", o.code);
    return kExitUsage;
  }
  out << fmt::format("{}: {}\n\n{}\n", CodeOf(kind), SummaryOf(kind), ExplanationOf(kind));
  return kExitOk;
}

}  // namespace

int Main(int argc, const char* const* argv, std::ostream& out, std::ostream& err, bool exits_after) {
  CLI::App app("sparkc: a policy compiler and plan executor for infrastructure migrations", "sparkc");
  app.require_subcommand(1);
  app.set_version_flag("--version", "sparkc " SPARKC_VERSION);
  std::string color = "auto";
  app.add_option("--color", color, "colour: auto (on a terminal, unless NO_COLOR is set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  // `sparkc apply --color never ...` as well as `sparkc --color never apply ...`.
  app.fallthrough();
  Options o;
  o.exits_after = exits_after;
  o.run.approver = DefaultApprover();
  o.run.out = &out;
  o.run.err = &err;

  auto* check = app.add_subcommand("check", "type-check specs and prove what can be proven");
  check->add_option("files", o.files, "the .spark files")->required()->check(CLI::ExistingFile);
  check->add_option("--format", o.format,
                    "diagnostics as text, json, sarif (SARIF 2.1.0, for code scanning) or github (annotations)")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}));
  check->add_flag("--timings", o.timings, "print the time each compiler phase took (stderr)");
  auto add_vars = [&](CLI::App* cmd) {
    cmd->add_option("--var", o.vars, "a parameter's value: NAME=VALUE (repeatable; wins over --var-file and "
                                     "SPARKC_VAR_NAME)");
    cmd->add_option("--var-file", o.var_file, "parameters' values from a YAML file: `name: value`")
        ->check(CLI::ExistingFile);
  };
  add_vars(check);

  auto* plan = app.add_subcommand("plan", "compile a spec into a deterministic plan");
  plan->add_option("file", o.files, "the root .spark file")->required()->expected(1);
  plan->add_option("-o,--output", o.output, "where to write the plan (default: stdout)");
  plan->add_option("--format", o.plan_format, "yaml or json (plan files), or markdown (a summary for a pull request)")
      ->check(CLI::IsMember({"yaml", "json", "markdown"}));
  plan->add_flag("--timings", o.timings, "print the time each compiler phase took (stderr)");
  add_vars(plan);

  auto add_state = [&](CLI::App* cmd) {
    cmd->add_option("--state", o.run.state_dir, "the state store: a directory (default: .sparkc) or a postgres:// URL");
  };
  auto add_reports = [&](CLI::App* cmd) {
    cmd->add_option("--report", o.run.report_json, "write the run as JSON to this file");
    cmd->add_option("--junit", o.run.report_junit, "write JUnit XML (one testcase per step) to this file");
  };
  auto add_run_format = [&](CLI::App* cmd) {
    cmd->add_option("--format", o.format,
                    "text; json: one event a line, with --dry-run one document (docs/events.md); github: text and "
                    "annotations for the steps that fail or wait")
        ->check(CLI::IsMember({"text", "json", "github"}));
  };
  auto* apply = app.add_subcommand("apply", "execute a plan (a plan file, or a spec planned first)");
  add_run_format(apply);
  apply->add_option("file", o.files, "plan.yaml, plan.json or spec.spark")->required()->expected(1);
  apply->add_option("-j,--jobs", o.run.jobs, "steps run in parallel (default: the plan's parallelism)")
      ->check(CLI::Range(1, 1024));
  apply->add_flag("--accept-unproven-timing", o.run.accept_unproven_timing,
                  "allow -j below the plan's parallelism: its time bounds may then not hold (journaled)");
  add_state(apply);
  add_reports(apply);
  add_vars(apply);
  apply->add_flag("--dry-run", o.dry_run, "print when each step would start and the proven bounds; change nothing");
  apply->add_option("--approve", o.approvals, "approve a manual step or gate by id (repeatable)");
  apply->add_option("--approvals", o.approvals_file, "a YAML file of approvals: {step, by, note}")
      ->check(CLI::ExistingFile);
  apply->add_option("--approver", o.run.approver, "the name --approve and prompts record (default: $SPARKC_APPROVER, $USER)");
  apply->add_option("--progress", o.progress, "auto (live on a terminal), live or plain")
      ->check(CLI::IsMember({"auto", "live", "plain"}));
  apply->add_option("--on-failure", o.on_failure, "rollback (default) or stop")
      ->check(CLI::IsMember({"rollback", "stop"}));
  apply->add_option("--engine", o.engine, "local (default): this machine runs the steps; slurm: each step a Slurm "
                                         "job (docs/engines.md)")
      ->check(CLI::IsMember({"local", "slurm"}));
  apply->add_flag("--detach", o.engine_options.detach,
                  "with --engine slurm: submit and exit; `sparkc status --follow` follows the run");
  apply->add_option("--slurm-output", o.engine_options.output_dir,
                    "with --engine slurm: where the jobs' plan, scripts and output go (default: .sparkc-slurm; on a "
                    "file system the nodes share)");
  apply->add_flag("--new-run", o.run.new_run, "start a new run even if another plan's run is unfinished");
  apply->add_option("--require-signature", o.run.require_signature,
                    "run only a plan signed (PLAN.sig) by this Ed25519 public key, PEM")
      ->check(CLI::ExistingFile);

  auto* rollback = app.add_subcommand("rollback", "undo the succeeded steps of the last run");
  add_run_format(rollback);
  add_state(rollback);
  add_reports(rollback);
  rollback->add_option("--to", o.run.to_step, "undo only what ran after this step");
  rollback->add_option("-j,--jobs", o.run.jobs, "undo steps in parallel (default: the plan's parallelism)")
      ->check(CLI::Range(1, 1024));
  rollback->add_flag("--accept-unproven-timing", o.run.accept_unproven_timing,
                     "allow -j below the plan's parallelism: the rollback's bound may then not hold (journaled)");
  rollback->add_option("--require-signature", o.run.require_signature,
                       "undo only a run applied from a plan signed by this Ed25519 public key, PEM (the journal "
                       "keeps the signature)")
      ->check(CLI::ExistingFile);

  auto* verify = app.add_subcommand("verify", "evaluate the checks of applied steps (exit 5 on drift), or before any run the preconditions (exit 8 when one is false)");
  verify->add_option("file", o.files, "plan.yaml, plan.json or spec.spark")->required()->expected(1);
  add_state(verify);
  verify->add_option("--format", o.format, "text, or json: one document (docs/events.md)")
      ->check(CLI::IsMember({"text", "json"}));
  verify->add_option("--require-signature", o.run.require_signature,
                     "verify only against a plan signed (PLAN.sig) by this Ed25519 public key, PEM")
      ->check(CLI::ExistingFile);

  auto* status = app.add_subcommand("status", "show a run (default: the last) step by step, what needs attention first");
  add_state(status);
  status->add_option("--run", o.history.run, "the run to show (`sparkc runs` lists them)")->check(CLI::PositiveNumber);
  status->add_flag("--failed", o.history.failed_only, "only the steps that need attention");
  status->add_flag("--follow", o.follow, "follow the last run as an engine's jobs run it, until it ends (exit codes as apply's)");
  status->add_option("--format", o.format, "text, or json: one document (docs/events.md)")
      ->check(CLI::IsMember({"text", "json"}));

  auto* runs = app.add_subcommand("runs", "list the runs in the state store, newest first");
  add_state(runs);
  runs->add_option("--format", o.format, "text, or json: one document (docs/events.md)")
      ->check(CLI::IsMember({"text", "json"}));

  auto* logs = app.add_subcommand("logs", "print what a step printed, each attempt (the journal keeps 64 KiB of each stream)");
  logs->add_option("step", o.history.step, "the step id")->required();
  add_state(logs);
  logs->add_option("--run", o.history.run, "the run (default: the last)")->check(CLI::PositiveNumber);
  logs->add_option("--attempt", o.history.attempt, "only this attempt")->check(CLI::PositiveNumber);

  auto* step = app.add_subcommand("step", "one step of a run, exactly once (what an engine's jobs run): do, undo or "
                                          "check it; begin a run (prints its number) or finish it");
  step->add_option("verb", o.step_verb, "begin, do, undo, check or finish")
      ->required()
      ->check(CLI::IsMember({"begin", "do", "undo", "check", "finish"}));
  step->add_option("plan", o.step_plan, "the plan file the run applies")->required();
  step->add_option("step", o.step.step, "the step id (do, undo, check)");
  add_state(step);
  step->add_option("--run", o.step.run, "the run (from `sparkc step begin`)")->check(CLI::PositiveNumber);
  step->add_option("--engine", o.engine, "finish: local (default) rolls a failed run back here; slurm submits an "
                                         "undo job per step that acted, placed as its step (the finish job's way)")
      ->check(CLI::IsMember({"local", "slurm"}));

  auto* approve = app.add_subcommand("approve", "approve a gate or manual step of the last run (journaled) and release its job");
  approve->add_option("step", o.step.step, "the gate or manual step")->required();
  add_state(approve);
  approve->add_option("--approver", o.run.approver, "the name recorded (default: $SPARKC_APPROVER, $USER)");
  approve->add_option("--note", o.note, "why, for the journal");

  auto* cancel = app.add_subcommand("cancel", "cancel the Slurm jobs of the last run; it stays resumable");
  add_state(cancel);

  auto* export_cmd = app.add_subcommand("export", "write a plan as another engine's workflow: an Argo Workflow "
                                                 "(validated, not executed; docs/engines.md)");
  export_cmd->add_option("--to", o.export_to, "argo")->check(CLI::IsMember({"argo"}));
  export_cmd->add_option("plan", o.files, "plan.yaml, plan.json or spec.spark")->required()->expected(1);
  export_cmd->add_option("--image", o.argo.image, "a container image with sparkc on PATH")->required();
  export_cmd->add_option("--state", o.argo.state, "the state store's postgres:// URL, without a password")->required();
  export_cmd->add_option("--password-secret", o.argo.password_secret,
                         "NAME/KEY: the Kubernetes secret the store's password is in (PGPASSWORD)");
  export_cmd->add_option("-o,--output", o.output, "where to write it (default: stdout)");

  auto* diff = app.add_subcommand("diff", "steps and edges added, removed and changed between two plans");
  diff->add_option("plans", o.files, "OLD NEW: plan files or specs")->required()->expected(2);
  diff->add_option("--format", o.format, "text, json (docs/events.md) or markdown (for a pull request)")
      ->check(CLI::IsMember({"text", "json", "markdown"}));

  auto* report = app.add_subcommand("report", "one self-contained HTML page: the DAG, the proven timeline and the last run");
  report->add_option("file", o.files, "plan file or spec")->required()->expected(1);
  report->add_option("-o,--output", o.output, "the HTML file to write (default: stdout)");
  add_state(report);

  auto* graph = app.add_subcommand("graph", "the plan's DAG as Graphviz DOT, critical path highlighted");
  graph->add_option("file", o.files, "plan file or spec")->required()->expected(1);
  graph->add_flag("--rollback", o.rollback_graph, "the rollback: inverted edges, rollback critical path");

  auto* sign = app.add_subcommand("sign", "sign a plan with an Ed25519 key (writes PLAN.sig)");
  sign->add_option("plan", o.files, "the plan file")->required()->expected(1);
  sign->add_option("--key", o.key, "Ed25519 private key, PEM")->required()->check(CLI::ExistingFile);

  FmtOptions fmt_options;
  auto* format = app.add_subcommand("fmt", "rewrite .spark files in the canonical layout (comments and line breaks kept)");
  format->add_option("paths", fmt_options.paths, "files, directories (every .spark below), or - for stdin")
      ->required();
  format->add_flag("--check", fmt_options.check, "change nothing; exit 1 and show where a file is not formatted");
  format->add_flag("--stdout", fmt_options.to_stdout, "print the formatted text instead of rewriting the files");

  int debounce_ms = 50;
  auto* lsp = app.add_subcommand("lsp", "the language server (LSP 3.17 over stdin and stdout) for editors");
  lsp->add_option("--debounce", debounce_ms, "milliseconds of quiet after a change before its diagnostics (default 50)")
      ->check(CLI::Range(0, 10000));
  auto* explain = app.add_subcommand("explain", "explain a diagnostic code");
  explain->add_option("code", o.code, "a code such as E0301")->required();

  // For the build (tools/sparkc/CMakeLists.txt): generated from the
  // definitions above, so they cannot drift from them.
  std::string shell;
  auto* completion = app.add_subcommand("completion", "print a shell's completion script")->group("");
  completion->add_option("shell", shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  auto* manpage = app.add_subcommand("manpage", "print the man page (roff)")->group("");

  // CLI11 reads an unknown command as a stray argument ("A subcommand is
  // required"): say what it is, and what was meant.
  std::vector<std::string> names;
  bool known = argc < 2 || argv[1][0] == '-';
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (!sub->get_group().empty()) names.push_back(sub->get_name());
    known |= argc > 1 && sub->get_name() == argv[1];
  }
  if (!known) {
    std::string close = ClosestMatch(argv[1], names);
    err << fmt::format("sparkc: error: unknown command `{}`\n  note: the commands are {}\n", Printable(argv[1]),
                       fmt::join(names, ", "));
    if (!close.empty()) err << fmt::format("  help: did you mean `sparkc {}`?\n", close);
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  // Colour for each stream: asked for, or a terminal and no NO_COLOR
  // (https://no-color.org: set and not empty) and not a dumb terminal.
  auto colored = [&](int fd) {
    if (color != "auto") return color == "always";
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return isatty(fd) && (no_color == nullptr || *no_color == '\0') && !(term != nullptr && std::string(term) == "dumb");
  };
  SetColor(Stream::Out, &out == &std::cout && colored(STDOUT_FILENO));
  SetColor(Stream::Err, &err == &std::cerr && colored(STDERR_FILENO));
  if (o.format == "json") o.run.format = OutputFormat::Json;
  if (o.format == "github") o.run.format = OutputFormat::Github;
  // The commands that read secrets keep them out of core files and away
  // from other processes of the same user.
  if (apply->parsed() || rollback->parsed() || verify->parsed() || step->parsed()) ProtectProcessMemory();
  // What a step starts ends with it (unless `detach`), found even when it
  // left the step's process group.
  if (apply->parsed() || rollback->parsed() || step->parsed()) BecomeSubreaper();
  if (check->parsed() || plan->parsed() || apply->parsed()) {
    std::string error;
    if (!CollectParams(o.vars, o.var_file, o.params, error)) {
      err << fmt::format("sparkc: error: {}\n", error);
      return kExitUsage;
    }
    // A plan file carries the values it was built with; SPARKC_VAR_* are
    // for specs, and only an explicit --var is an error there.
    bool spec = !o.files.empty() && std::filesystem::path(o.files[0]).extension() == ".spark";
    if (apply->parsed() && !spec && o.vars.empty() && o.var_file.empty()) o.params.clear();
    plan::Plan unused;
    if (apply->parsed() && !spec && !o.params.empty() && !ObtainPlan(o.files[0], err, unused, nullptr, &o.params))
      return kExitUsage;
  }
  if (check->parsed()) return Check(o, out, err);
  if (plan->parsed()) return Plan(o, out, err);
  if (apply->parsed()) return ApplyCommand(o, err);
  if (rollback->parsed()) {
    ChooseTerminalMode(o);
    return Rollback(o.run);
  }
  if (step->parsed()) return StepCommand(o, err);
  if (status->parsed() && o.follow) {
    ChooseTerminalMode(o);
    return FollowRun(o.run, o.engine_options, *CommandLineSlurm());
  }
  if (status->parsed()) return Status(o.run, o.history);
  if (approve->parsed()) return ApproveStep(o.run, o.step.step, o.note, *CommandLineSlurm());
  if (cancel->parsed()) return CancelRun(o.run, *CommandLineSlurm());
  if (runs->parsed()) return Runs(o.run);
  if (logs->parsed()) return Logs(o.run, o.history);
  if (verify->parsed()) {
    plan::Plan verified;
    if (!ObtainPlan(o.files.at(0), err, verified)) return kExitInvalid;
    if (!o.run.require_signature.empty() && !CheckSignature(o, verified.digest, err)) return kExitInvalid;
    return Verify(verified, o.run);
  }
  if (completion->parsed()) {
    out << (shell == "bash" ? BashCompletion(app) : shell == "zsh" ? ZshCompletion(app) : FishCompletion(app));
    return kExitOk;
  }
  if (manpage->parsed()) {
    out << ManPage(app, SPARKC_VERSION);
    return kExitOk;
  }
  if (report->parsed()) {
    plan::Plan reported;
    if (!ObtainPlan(o.files.at(0), err, reported)) return kExitInvalid;
    return Report(reported, o.run, o.output);
  }
  if (explain->parsed()) return Explain(o, out, err);
  if (lsp->parsed()) return lsp::RunStdio(0, 1, {.debounce = std::chrono::milliseconds(debounce_ms)});
  if (format->parsed()) return FmtCommand(fmt_options, out, err);
  if (diff->parsed()) return DiffCommand(o, out, err);
  if (export_cmd->parsed()) return ExportCommand(o, out, err);
  if (sign->parsed()) return SignCommand(o, out, err);
  if (graph->parsed()) {
    plan::Plan drawn;
    if (!ObtainPlan(o.files.at(0), err, drawn)) return kExitInvalid;
    out << plan::EmitDot(drawn, o.rollback_graph);
    return kExitOk;
  }
  return kExitUsage;
}

}  // namespace sparkc
