#include "runtime/apply/report.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "compiler/source/source.h"

namespace sparkc::runtime {
namespace {


bool Failed(const StepOutcome& s) { return s.state == "failed"; }
bool UndoProblem(const StepOutcome& s) { return s.state == "undo_failed" || s.state == "blocked"; }
bool NotRun(const StepOutcome& s) { return s.state == "pending" || s.state == "awaiting_approval"; }

}  // namespace

std::string JsonReport(const plan::Plan& plan, const RunSummary& run, const std::vector<StepOutcome>& steps) {
  nlohmann::ordered_json doc;
  doc["command"] = run.command;
  doc["run"] = run.run;
  doc["module"] = plan.module;
  doc["plan"] = plan.digest;
  doc["status"] = run.status;
  doc["exit_code"] = run.exit_code;
  doc["seconds"] = std::round(run.seconds * 1000) / 1000;
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < steps.size(); ++i) {
    const StepOutcome& s = steps[i];
    counts[s.state] = counts.value(s.state, 0) + 1;
    nlohmann::ordered_json item;
    item["id"] = plan.steps[i].id;
    item["status"] = s.state;
    item["attempts"] = s.attempts;
    item["seconds"] = std::round(s.seconds * 1000) / 1000;
    if (s.earlier) item["earlier_invocation"] = true;
    if (!s.message.empty()) item["message"] = s.message;
    if (s.undone) item["undone"] = true;
    if (!s.output.empty()) item["output"] = s.output;
    if (!s.approved_by.empty()) item["approval"] = {{"by", s.approved_by}, {"source", s.approval_source}};
    list.push_back(std::move(item));
  }
  doc["counts"] = std::move(counts);
  doc["steps"] = std::move(list);
  return doc.dump(2) + "\n";
}

std::string JUnitReport(const plan::Plan& plan, const RunSummary& run, const std::vector<StepOutcome>& steps) {
  size_t failures = 0, errors = 0, skipped = 0;
  for (const StepOutcome& s : steps) {
    failures += Failed(s);
    errors += UndoProblem(s);
    skipped += NotRun(s);
  }
  std::string suite = XmlEscape(plan.module.empty() ? "sparkc" : plan.module);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // The Jenkins xunit junit-10.xsd allows no `skipped` on <testsuites>.
  out += fmt::format("<testsuites name=\"sparkc {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n",
                     run.command, steps.size(), failures, errors, run.seconds);
  out += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
                     "time=\"{:.3f}\">\n", suite, steps.size(), failures, errors, skipped, run.seconds);
  out += fmt::format("    <properties>\n      <property name=\"plan\" value=\"{}\"/>\n"
                     "      <property name=\"run\" value=\"{}\"/>\n      <property name=\"status\" value=\"{}\"/>\n"
                     "    </properties>\n", XmlEscape(plan.digest), run.run, XmlEscape(run.status));
  for (size_t i = 0; i < steps.size(); ++i) {
    const StepOutcome& s = steps[i];
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", suite,
                       XmlEscape(plan.steps[i].id), s.seconds);
    std::string body;
    if (Failed(s))
      body = fmt::format("      <failure message=\"{}\">{}</failure>\n{}", XmlEscape(s.message), XmlEscape(s.output),
                         s.undone ? "      <system-out>failed, then undone by the rollback</system-out>\n" : "");
    else if (UndoProblem(s))
      body = fmt::format("      <error message=\"{}: {}\">{}</error>\n", s.state, XmlEscape(s.message),
                         XmlEscape(s.output));
    else if (NotRun(s))
      body = fmt::format("      <skipped message=\"{}\"/>\n",
                         XmlEscape(s.message.empty() ? "not run" : s.message));
    else if (s.state == "undone")
      body = "      <system-out>applied, then undone by the rollback</system-out>\n";
    else if (s.earlier)
      body = "      <system-out>succeeded in an earlier invocation of this run</system-out>\n";
    out += body.empty() ? "/>\n" : ">\n" + body + "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string XmlEscape(std::string_view raw) {
  std::string text = ValidUtf8(raw);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    // U+FFFE and U+FFFF: EF BF BE and EF BF BF.
    if (c == '\xef' && i + 2 < text.size() && text[i + 1] == '\xbf' && (text[i + 2] == '\xbe' || text[i + 2] == '\xbf')) {
      out += text[i + 2] == '\xbe' ? "\\ufffe" : "\\uffff";
      i += 2;
      continue;
    }
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 has no place for other control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += fmt::format("\\x{:02x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else out += c;
    }
  }
  return out;
}

}  // namespace sparkc::runtime
