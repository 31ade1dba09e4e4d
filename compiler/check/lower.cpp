#include "compiler/check/lower.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "compiler/plan/placement.h"

namespace sparkc::check {

using eval::Describe;
using eval::Kind;

namespace {

bool Mismatch(Evaluator& ev, const Value& v, const std::string& expected, std::string hint = {}) {
  if (!v.ok()) return false;
  Diagnostic& d = ev.diags().Error(DiagnosticKind::E0202, v.span,
                                   fmt::format("expected {}, found {}", expected, Describe(v)));
  if (!hint.empty()) d.Suggest(hint);
  return false;
}

}  // namespace

bool LowerAction(Evaluator& ev, const Value& v, plan::Action& out) {
  if (v.kind == Kind::Action) {
    out = *v.action;
    return true;
  }
  if (v.kind == Kind::List) {
    out.kind = plan::Action::Kind::Sequence;
    bool ok = true;
    for (const Value& item : *v.list) ok &= LowerAction(ev, item, out.sequence.emplace_back());
    return ok;
  }
  return Mismatch(ev, v, "an action",
                  "exec(\"prog\", \"arg\"...), shell(\"script\"), http.request(\"POST\", url), wait(duration), "
                  "manual(\"instruction\"), "
                  "noop, or a list of actions");
}

bool LowerUndo(Evaluator& ev, const Value& v, plan::Undo& out) {
  if (v.kind == Kind::None) {
    out.kind = plan::Undo::Kind::None;
    return true;
  }
  if (v.kind == Kind::Irreversible) {
    out.kind = plan::Undo::Kind::Irreversible;
    out.reason = v.s;
    if (!out.reason.empty()) return true;
    ev.diags().Error(DiagnosticKind::E0208, v.span, "`irreversible` needs a reason")
        .Suggest("say why and what to do instead: irreversible \"restore from the backup\"");
    return false;
  }
  out.kind = plan::Undo::Kind::Action;
  if (v.kind == Kind::Action || v.kind == Kind::List) return LowerAction(ev, v, out.action);
  return Mismatch(ev, v, "an undo: an action, `none` or `irreversible \"why\"`");
}

bool LowerDuration(Evaluator& ev, const Value& v, int64_t& out) {
  if (!ev.RequireStatic(v, "a duration")) return false;
  if (v.kind != Kind::Quantity || v.dim != Dimension::Duration)
    return Mismatch(ev, v, "a duration",
                    v.kind == Kind::Int ? fmt::format("give the unit: `{} s` or `{} min`", v.i, v.i) : "");
  if (v.i < 0) {
    ev.diags().Error(DiagnosticKind::E0208, v.span, "a duration cannot be negative");
    return false;
  }
  out = v.i;
  return true;
}

bool LowerInt(Evaluator& ev, const Value& v, int64_t min, int64_t max, int64_t& out) {
  if (!ev.RequireStatic(v, "an integer field")) return false;
  if (v.kind != Kind::Int) return Mismatch(ev, v, "an integer");
  if (v.i < min || v.i > max) {
    ev.diags().Error(DiagnosticKind::E0208, v.span,
                     fmt::format("expected an integer from {} to {}, found {}", min, max, v.i));
    return false;
  }
  out = v.i;
  return true;
}

bool LowerString(Evaluator& ev, const Value& v, std::string& out) {
  if (!ev.RequireStatic(v, "a string field")) return false;
  if (v.kind != Kind::String) return Mismatch(ev, v, "a string");
  out = v.s;
  return true;
}

bool LowerBool(Evaluator& ev, const Value& v, bool& out) {
  if (!ev.RequireStatic(v, "a bool field")) return false;
  if (v.kind != Kind::Bool) return Mismatch(ev, v, "a bool");
  out = v.i != 0;
  return true;
}

bool LowerStrings(Evaluator& ev, const Value& v, std::vector<std::string>& out) {
  if (v.kind != Kind::List) return Mismatch(ev, v, "a list of strings");
  bool ok = true;
  for (const Value& item : *v.list) ok &= LowerString(ev, item, out.emplace_back());
  return ok;
}

bool LowerSteps(Evaluator& ev, const Value& v, std::vector<std::string>& out) {
  switch (v.kind) {
    case Kind::Step: out.push_back(v.s); return true;
    case Kind::StepGroup:
      for (const Value& step : *v.list) out.push_back(step.s);
      return true;
    case Kind::List: {
      bool ok = true;
      for (const Value& item : *v.list) ok &= LowerSteps(ev, item, out);
      return ok;
    }
    default: return Mismatch(ev, v, "a step, a gate, or a list of them");
  }
}

bool LowerCheck(Evaluator& ev, const Value& v, std::string& out) {
  if (v.kind == Kind::Runtime && v.rt == Kind::Bool) {
    out = v.s;
    return true;
  }
  if (v.kind == Kind::Bool) {
    if (v.i) return true;
    ev.diags().Error(DiagnosticKind::E0202, v.span, "this check is false before anything runs")
        .Suggest("a check should ask the live system: file.exists(...), exec(...).exit == 0, http.get(...)");
    return false;
  }
  return Mismatch(ev, v, "a bool over probes", "compare it: file.size(\"x\") > 0 B, exec(\"test\").exit == 0");
}

namespace {

bool PlacementText(Evaluator& ev, std::string_view name, const Value& v, std::string& out) {
  if (name == "nodelist" && v.kind == Kind::List) {
    std::vector<std::string> nodes;
    if (v.list->empty()) {
      ev.diags().Error(DiagnosticKind::E0208, v.span, "`nodelist` names no node")
          .Suggest("name the nodes, or leave `nodelist` out to let Slurm choose");
      return false;
    }
    if (!LowerStrings(ev, v, nodes)) return false;
    for (size_t k = 0; k < nodes.size(); ++k) {
      if (std::string problem = plan::PlacementProblem(name, nodes[k]); !problem.empty()) {
        ev.diags().Error(DiagnosticKind::E0208, (*v.list)[k].span, problem);
        return false;
      }
      out += (k ? "," : "") + nodes[k];
    }
    return true;
  }
  if (!LowerString(ev, v, out)) return false;
  if (std::string problem = plan::PlacementProblem(name, out); !problem.empty()) {
    ev.diags().Error(DiagnosticKind::E0208, v.span, problem)
        .Suggest(name == "gres" ? "as sbatch's --gres: \"gpu:1\", \"gpu:h100:2\""
                                : "as sbatch reads it: \"gpu\", \"node[1-4]\"");
    return false;
  }
  return true;
}

}  // namespace

bool LowerPlacement(Evaluator& ev, const Value& v, plan::Placement& out) {
  if (!ev.RequireStatic(v, "`slurm`")) return false;
  if (v.kind != Kind::Map)
    return Mismatch(ev, v, "a record of Slurm options", "slurm = { partition = \"gpu\", gres = \"gpu:1\" }");
  std::vector<std::string> names;
  for (const plan::PlacementField& f : plan::PlacementFields()) names.emplace_back(f.name);
  bool ok = true;
  for (const eval::Entry& e : *v.fields) {
    auto field = std::find_if(plan::PlacementFields().begin(), plan::PlacementFields().end(),
                              [&](const plan::PlacementField& f) { return f.name == e.key; });
    if (field == plan::PlacementFields().end()) {
      Diagnostic& d = ev.diags().Error(DiagnosticKind::E0201, e.key_span,
                                       fmt::format("`slurm` has no option `{}`", e.key));
      if (std::string close = ClosestMatch(e.key, names); !close.empty()) d.DidYouMean(e.key_span, close);
      else d.Note({}, fmt::format("the options are: {}", fmt::join(names, ", ")));
      ok = false;
      continue;
    }
    switch (field->type) {
      case plan::PlacementType::Text: ok &= PlacementText(ev, field->name, e.value, *plan::TextField(out, e.key)); break;
      case plan::PlacementType::Count: ok &= LowerInt(ev, e.value, 1, 1'000'000, *plan::NumberField(out, e.key)); break;
      case plan::PlacementType::Size:
        if (!ev.RequireStatic(e.value, "`mem`")) {
          ok = false;
        } else if (e.value.kind != Kind::Quantity || e.value.dim != Dimension::Size) {
          ok &= Mismatch(ev, e.value, "a size", "mem = 16 GiB");
        } else if (e.value.i <= 0) {
          ev.diags().Error(DiagnosticKind::E0208, e.value.span, "`mem` must be more than 0 B");
          ok = false;
        } else {
          out.mem_bytes = e.value.i;
        }
        break;
    }
  }
  return ok;
}

std::string SourceOf(const Program& program, const Diagnostics& diags, uint32_t module, Span span) {
  return fmt::format("{}:{}", program.modules[module].cited_path, diags.sources().file(span.file).Locate(span.begin).line);
}

void UnknownField(Diagnostics& diags, const Field& field, const std::string& owner,
                  const std::vector<std::string>& known) {
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  Diagnostic& d = diags.Error(DiagnosticKind::E0201, field.name_span,
                              fmt::format("{} has no field `{}`", owner, field.name));
  std::string close = ClosestMatch(field.name, known);
  if (!close.empty()) d.DidYouMean(field.name_span, close);
  else d.Note({}, fmt::format("the fields are: {}", list));
}

bool FirstTime(std::map<std::string, Span>& seen, const Field& field, Diagnostics& diags) {
  auto [it, inserted] = seen.emplace(field.name, field.name_span);
  if (!inserted)
    diags.Error(DiagnosticKind::E0106, field.name_span, fmt::format("field `{}` is set twice", field.name))
        .Note(it->second, "first set here");
  return inserted;
}

}  // namespace sparkc::check
