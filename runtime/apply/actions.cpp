#include "runtime/apply/actions.h"

#include <fmt/format.h>

#include <functional>
#include <regex>
#include <thread>

#include "compiler/ast/ast.h"
#include "compiler/parse/parse.h"
#include "compiler/plan/template.h"
#include "compiler/source/source.h"
#include "runtime/exec/process.h"
#include "runtime/exec/strays.h"
#include "runtime/probe/condition.h"
#include "runtime/probe/net.h"
#include "runtime/secret/secret.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {
namespace {



// Secret variables (env or headers) and a secret stdin or body, read now,
// at the moment of use, and never earlier.
bool ResolveSecrets(const plan::Action& action, std::vector<std::pair<std::string, std::string>>& vars,
                    std::string& input, std::string& error) {
  for (const auto& [name, ref] : action.secret_env) {
    std::string value;
    if (!ResolveSecret(ref, value, error)) return false;
    vars.emplace_back(name, std::move(value));
  }
  return action.stdin_secret.empty() || ResolveSecret(action.stdin_secret, input, error);
}

ActionResult Http(const plan::Action& action, const ActionContext& context) {
  HttpRequest request;
  request.method = action.method;
  request.url = action.url;
  request.headers = action.env;
  request.has_body = action.has_stdin;
  request.body = action.stdin_text;
  std::string error;
  if (!ResolveSecrets(action, request.headers, request.body, error)) return ActionResult::Failure(error, 1);
  HttpResult response;
  if (!Http(request, context.step.timeout_ms, response, error)) return ActionResult::Failure(Redact(error), 1);
  bool ok = action.expect_status != 0 ? response.status == action.expect_status
                                      : response.status >= 200 && response.status < 300;
  if (ok) {
    ActionResult result;
    result.log = CapturedLog(response.body, {}, false);
    result.result = ActionOutput{true, {}, {}, 0, response.status, std::move(response.body)};
    return result;
  }
  ActionResult result = ActionResult::Failure(
      fmt::format("{} {}: status {}, expected {}", action.method, action.url, response.status,
                  action.expect_status != 0 ? std::to_string(action.expect_status) : std::string("2xx")),
      1);
  result.output = TailUtf8(Redact(response.body), 2000);
  result.log = CapturedLog(response.body, {}, false);
  return result;
}

ActionResult Exec(const plan::Action& action, const ActionContext& context) {
  ProcessSpec spec;
  spec.argv = action.kind == plan::Action::Kind::Shell
                  ? std::vector<std::string>{"/bin/sh", "-c", action.argv.at(0)}
                  : action.argv;
  spec.env = action.env;
  spec.cwd = action.cwd;
  spec.has_stdin = action.has_stdin;
  spec.stdin_text = action.stdin_text;
  spec.timeout_ms = context.step.timeout_ms;
  if (!context.tag.empty()) {
    spec.env.emplace_back(kStepTagVariable, context.tag);
    spec.env.emplace_back(kRunnerVariable, RunnerIdentity());
  }
  std::string error;
  if (!ResolveSecrets(action, spec.env, spec.stdin_text, error)) return ActionResult::Failure(error, 1);
  // The JSON stream gets each line as it is printed, up to what the journal
  // keeps of a stream (the rest is in `sparkc logs`).
  std::string partial[2];
  size_t sent[2] = {0, 0};
  auto emit = [&](int stream, std::string_view line) {
    size_t& bytes = sent[stream - 1];
    if (bytes > kLogCap) return;
    bytes += line.size() + 1;
    context.reporter->OutputLine(context.index, stream,
                                 bytes > kLogCap ? "(more: the rest is in `sparkc logs`)" : line);
  };
  if (context.reporter != nullptr && context.reporter->StreamsOutput())
    spec.on_output = [&](int stream, std::string_view bytes) {
      std::string& rest = partial[stream - 1];
      rest.append(bytes);
      size_t begin = 0;
      for (size_t nl; (nl = rest.find('\n', begin)) != std::string::npos; begin = nl + 1)
        emit(stream, std::string_view(rest).substr(begin, nl - begin));
      rest.erase(0, begin);
      // A line longer than the journal keeps goes out in pieces, so that a
      // step printing without newlines cannot grow this buffer.
      if (rest.size() > kLogCap) {
        emit(stream, rest);
        rest.clear();
      }
    };
  ProcessResult r = RunProcess(spec, context.cancel);
  for (int stream : {1, 2})
    if (!partial[stream - 1].empty()) emit(stream, partial[stream - 1]);
  if (!context.step.detach && !context.tag.empty()) EndStepProcesses(context.tag, r.pid);
  ActionResult result;
  result.log = CapturedLog(r.out, r.err, r.truncated);
  if (r.ok()) {
    result.result = ActionOutput{false, std::move(r.out), std::move(r.err), 0, 0, {}, r.truncated};
    return result;
  }
  result.kind = ActionResult::Kind::Failed;
  result.message = Redact(r.Summary());
  result.exit_code = r.started ? (r.signal != 0 ? 128 + r.signal : r.exit_code) : 127;
  // Both streams, each with its tail: a command may explain itself on
  // either (or print its progress on one and its error on the other).
  auto tail = [](const std::string& text) { return TailUtf8(Redact(text), 2000); };
  if (r.err.empty() || r.out.empty()) result.output = tail(r.err.empty() ? r.out : r.err);
  else result.output = "stdout:\n" + tail(r.out) + (r.out.back() == '\n' ? "" : "\n") + "stderr:\n" + tail(r.err);
  if (r.truncated)
    result.output += fmt::format("\n(output truncated: sparkc keeps the first {} KiB of each stream)",
                                 kDefaultOutputCap / 1024);
  return result;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

ActionResult Waiting(std::string message) {
  ActionResult result;
  result.kind = ActionResult::Kind::NeedsApproval;
  result.message = std::move(message);
  return result;
}

ActionResult Approved(Approval approval) {
  ActionResult result;
  result.approval = std::move(approval);
  return result;
}

// At a terminal the operator answers; declining stops the run, resumable,
// as a missing approval does; it is not a failure to roll back.
ActionResult AskOperator(const plan::Action& action, const ActionContext& context) {
  const plan::Step& step = context.step;
  std::string by = context.approver;
  std::string question =
      step.gate ? fmt::format("\ngate `{}`{}:\n  {}\n", step.id,
                              step.approvers.empty() ? "" : " (approvers: " + JoinNames(step.approvers) + ")",
                              action.instruction)
                : fmt::format("\nmanual step `{}`:\n  {}\n", step.id, action.instruction);
  if (step.gate && !RefuseApprover(by, step.approvers).empty()) {
    by = context.reporter->Ask(question + "Your name, to approve (empty: stop here): ");
    if (by.empty()) return Waiting("the operator did not approve the gate");
    if (std::string refusal = RefuseApprover(by, step.approvers); !refusal.empty()) return Waiting(refusal);
    question.clear();
  }
  std::string answer = context.reporter->Ask(
      question + (step.gate ? fmt::format("Approve as {}? [y/N] ", by) : fmt::format("Done ({})? [y/N] ", by)));
  if (answer != "y" && answer != "Y" && answer != "yes")
    return Waiting(step.gate ? "the operator did not approve the gate" : "the operator did not confirm the manual step");
  return Approved({step.id, by, {}, "terminal", NowTimestamp()});
}

ActionResult Manual(const plan::Action& action, const ActionContext& context) {
  const plan::Step& step = context.step;
  if (context.approvals != nullptr) {
    if (auto it = context.approvals->find(step.id); it != context.approvals->end()) {
      std::string refusal = step.gate ? RefuseApprover(it->second.by, step.approvers) : std::string();
      if (refusal.empty()) return Approved(it->second);
      return Waiting(fmt::format("the approval from {} does not count: {}", it->second.source, refusal));
    }
  }
  if (context.interactive && context.reporter != nullptr)
    return AskOperator(action, context);
  if (step.gate)
    return Waiting(fmt::format("gate needs approval{}: {}",
                               step.approvers.empty() ? "" : " from one of " + JoinNames(step.approvers),
                               action.instruction));
  return Waiting(fmt::format("manual step needs an operator: {}", action.instruction));
}

// Variables (env or headers), cwd and input, as a dry run shows them: a
// secret by its reference, never its value.
std::string DescribeInputs(const plan::Action& action, const char* input) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : action.env) parts.push_back(fmt::format("{}={}", name, ShellWord(value)));
  for (const auto& [name, ref] : action.secret_env) parts.push_back(fmt::format("{}=<secret {}>", name, ref));
  std::sort(parts.begin(), parts.end());
  if (!action.cwd.empty()) parts.push_back("cwd=" + ShellWord(action.cwd));
  if (!action.stdin_secret.empty()) parts.push_back(fmt::format("{}=<secret {}>", input, action.stdin_secret));
  else if (action.has_stdin) parts.push_back(fmt::format("{}={}", input, ShellWord(action.stdin_text)));
  if (parts.empty()) return {};
  std::string out = "  [";
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + "]";
}

}  // namespace

AttemptLog CapturedLog(std::string_view out, std::string_view err, bool truncated) {
  auto kept = [&](std::string_view text) {
    std::string redacted = Redact(std::string(text));
    truncated |= redacted.size() > kLogCap;
    return ValidUtf8(TailUtf8(redacted, kLogCap));
  };
  AttemptLog log;
  log.out = kept(out);
  log.err = kept(err);
  log.truncated = truncated;
  return log;
}



ActionResult PerformAction(const plan::Action& action, const ActionContext& context) {
  switch (action.kind) {
    case plan::Action::Kind::Noop: return {};
    case plan::Action::Kind::Exec:
    case plan::Action::Kind::Shell: return Exec(action, context);
    case plan::Action::Kind::Manual: return Manual(action, context);
    case plan::Action::Kind::Http: return Http(action, context);
    case plan::Action::Kind::Wait: {
      // Elapsed time against the wait, never now() + wait: a wait of
      // centuries would overflow the clock's nanoseconds.
      auto start = std::chrono::steady_clock::now();
      auto waited = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
      };
      while (waited() < action.wait_ms) {
        if (context.cancel != nullptr && context.cancel->load())
          return ActionResult::Failure("cancelled", 130);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      return {};
    }
    case plan::Action::Kind::Sequence:
      for (const plan::Action& item : action.sequence) {
        ActionResult r = PerformAction(item, context);
        if (!r.ok()) return r;
      }
      return {};
  }
  return {};
}

std::string DescribeAction(const plan::Action& action) {
  switch (action.kind) {
    case plan::Action::Kind::Noop: return "noop";
    case plan::Action::Kind::Wait: return "wait " + plan::HumanDuration(action.wait_ms);
    case plan::Action::Kind::Manual: return "manual: " + action.instruction;
    case plan::Action::Kind::Shell: return "shell " + ShellWord(action.argv.at(0));
    case plan::Action::Kind::Http: {
      std::string out = fmt::format("http {} {}", action.method, action.url);
      return out + DescribeInputs(action, "body");
    }
    case plan::Action::Kind::Exec: {
      std::string out = "exec";
      for (const std::string& arg : action.argv) out += " " + ShellWord(arg);
      return out + DescribeInputs(action, "stdin");
    }
    case plan::Action::Kind::Sequence: {
      std::string out;
      for (const plan::Action& item : action.sequence) out += (out.empty() ? "" : "; ") + DescribeAction(item);
      return out;
    }
  }
  return {};
}

std::string DescribeResidual(const std::string& expr) {
  static const std::regex kOutput(R"re(output\("((?:[^"\\]|\\.)*)", "([A-Za-z_][A-Za-z0-9_]*)"\))re");
  static const std::regex kString(R"re(string\((<output [^>]*>)\))re");
  std::string out = std::regex_replace(expr, kOutput, "<output $1.$2>");
  return std::regex_replace(out, kString, "$1");
}

namespace {

// A placeholder as the text it makes: literal parts as they are, each value
// known at run time in angle brackets.
std::string DescribePlaceholder(const std::string& expr) {
  Module module;
  ExprId root = kNoExpr;
  std::string error;
  if (!ParseExpression(expr, module, root, error)) return "<" + expr + ">";
  std::string out;
  std::function<void(ExprId)> part = [&](ExprId id) {
    const Expr& e = module.expr(id);
    if (e.kind == ExprKind::Binary && e.text == "+") {
      part(e.children[0]);
      part(e.children[1]);
    } else if (e.kind == ExprKind::String) {
      out += e.text;
    } else {
      std::string text = DescribeResidual(PrintExpr(module, id));
      out += text.starts_with("<output ") && text.ends_with(">") ? text : "<" + text + ">";
    }
  };
  part(root);
  return out;
}

}  // namespace

std::string DescribeStepAction(const plan::Step& step, const plan::Action& action) {
  if (step.inputs.empty()) return DescribeAction(action);
  plan::Action shown = action;
  std::string error;
  plan::ExpandAction(
      shown,
      [](std::string_view expr, std::string& out, std::string&) {
        out = plan::IsEscape(expr) ? std::string("${{") : DescribePlaceholder(std::string(expr));
        return true;
      },
      error);
  return DescribeAction(shown);
}

namespace {

void ActionSecretRefs(const plan::Action& action, std::vector<std::string>& refs) {
  for (const auto& [name, ref] : action.secret_env) refs.push_back(ref);
  if (!action.stdin_secret.empty()) refs.push_back(action.stdin_secret);
  for (const plan::Action& item : action.sequence) ActionSecretRefs(item, refs);
}

}  // namespace

std::vector<std::string> SecretRefs(const plan::Plan& plan) {
  std::vector<std::string> refs;
  for (const plan::Step& step : plan.steps) {
    ActionSecretRefs(step.action, refs);
    ActionSecretRefs(step.undo.action, refs);
    if (!step.check.empty()) CollectSecretRefs(step.check, refs);
    if (!step.undo_check.empty()) CollectSecretRefs(step.undo_check, refs);
  }
  for (const auto* list : {&plan.invariants, &plan.preconditions})
    for (const plan::Invariant& inv : *list)
      if (inv.runtime) CollectSecretRefs(inv.expr, refs);
  return refs;
}

}  // namespace sparkc::runtime
