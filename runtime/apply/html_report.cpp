// `sparkc report`: one self-contained HTML page (inline SVG and CSS, no
// script, nothing fetched) with the plan's DAG drawn by layers (phases as
// colours, gates, irreversible steps, the critical path), the schedule the
// time bounds are proven for on a timeline, and the last run of the plan,
// when a state store holds one, on the same timeline with each step's status.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "compiler/plan/time_bounds.h"
#include "compiler/source/source.h"
#include "runtime/apply/apply.h"
#include "runtime/apply/report.h"
#include "runtime/apply/schedule.h"
#include "runtime/apply/state_access.h"
#include "runtime/state/store.h"

namespace sparkc::runtime {
namespace {

constexpr int kNodeWidth = 180, kNodeHeight = 38, kColumn = 230, kRow = 56, kMargin = 24;
// Phases get these fills in order; a step without a phase is white.
constexpr const char* kPhaseFills[] = {"#dbeafe", "#dcfce7", "#fef9c3", "#fce7f3", "#e0e7ff", "#ffedd5", "#ccfbf1"};
constexpr const char* kCritical = "#ea580c";  // the critical path (tests look for this colour)

std::string Fit(const std::string& id, size_t max) { return id.size() <= max ? id : id.substr(0, max - 1) + "…"; }

const char* StatusFill(StepStatus s) {
  switch (s) {
    case StepStatus::Succeeded: return "#16a34a";
    case StepStatus::Failed: case StepStatus::UndoFailed: return "#dc2626";
    case StepStatus::Undone: return "#6b7280";
    case StepStatus::Running: case StepStatus::Undoing: return "#2563eb";
    case StepStatus::Blocked: case StepStatus::Awaiting: return "#d97706";
    case StepStatus::Pending: return "#e5e7eb";
  }
  return "#e5e7eb";
}

// What the page knows of the last run of this plan.
struct RunView {
  RunInfo info;
  std::map<std::string, StepRecord> steps;
  std::map<std::string, std::pair<int64_t, int64_t>> spans;  // first start, last end, ms from the run's start
};

std::optional<RunView> LastRunOf(const plan::Plan& plan, const RunOptions& options, std::string& note) {
  bool exists = IsPostgresUrl(options.state_dir) ||
                std::filesystem::exists(std::filesystem::path(options.state_dir) / "state.db");
  if (!exists) {
    note = fmt::format("no state store at `{}`: the plan only", DisplayLocation(options.state_dir));
    return std::nullopt;
  }
  std::string error;
  std::unique_ptr<StateStore> store = StateStore::Open(options.state_dir, error);
  if (!store) throw std::runtime_error(error);
  for (const RunInfo& run : store->Runs()) {
    if (run.digest != plan.digest) continue;
    RunView view{run, store->Steps(run.id), {}};
    std::optional<int64_t> start = TimestampMs(run.started_at);
    for (const Transition& t : store->Journal(run.id)) {
      std::optional<int64_t> at = TimestampMs(t.at);
      if (!start || !at) continue;
      int64_t ms = std::max<int64_t>(0, *at - *start);
      auto [it, fresh] = view.spans.try_emplace(t.step, ms, ms);
      if (!fresh) it->second.second = ms;
    }
    return view;
  }
  note = fmt::format("no run of this plan in `{}`", DisplayLocation(options.state_dir));
  return std::nullopt;
}

// Layers by longest path from the sources (the plan is in topological
// order); within a layer, plan order.
std::vector<std::pair<int, int>> Layout(const plan::Plan& plan, const std::vector<std::vector<uint32_t>>& deps) {
  size_t n = plan.steps.size();
  std::vector<int> layer(n, 0);
  for (size_t i = 0; i < n; ++i)
    for (uint32_t d : deps[i]) layer[i] = std::max(layer[i], layer[d] + 1);
  std::map<int, int> used;
  std::vector<std::pair<int, int>> at(n);
  for (size_t i = 0; i < n; ++i) at[i] = {layer[i], used[layer[i]]++};
  return at;
}

std::string Graph(const plan::Plan& plan, const std::optional<RunView>& run) {
  size_t n = plan.steps.size();
  std::vector<std::vector<uint32_t>> deps = Dependencies(plan);
  std::vector<std::pair<int, int>> at = Layout(plan, deps);
  int columns = 0, rows = 0;
  for (auto [x, y] : at) {
    columns = std::max(columns, x + 1);
    rows = std::max(rows, y + 1);
  }
  std::map<std::string, size_t> phase_index;
  for (const plan::Phase& p : plan.phases) phase_index.emplace(p.id, phase_index.size());
  std::set<std::pair<std::string, std::string>> critical;
  const std::vector<std::string>& chain = plan.forward.estimate.steps;
  for (size_t k = 1; k < chain.size(); ++k) critical.emplace(chain[k - 1], chain[k]);
  std::set<std::string> on_path(chain.begin(), chain.end());
  int width = kMargin * 2 + (columns - 1) * kColumn + kNodeWidth, height = kMargin * 2 + (rows - 1) * kRow + kNodeHeight;
  std::string svg = fmt::format("<svg class=\"dag\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
                                "viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"the plan's DAG\">\n",
                                width, height, width, height);
  auto x_of = [&](size_t i) { return kMargin + at[i].first * kColumn; };
  auto y_of = [&](size_t i) { return kMargin + at[i].second * kRow; };
  for (size_t i = 0; i < n; ++i)
    for (uint32_t d : deps[i]) {
      bool hot = critical.contains({plan.steps[d].id, plan.steps[i].id});
      int x1 = x_of(d) + kNodeWidth, y1 = y_of(d) + kNodeHeight / 2, x2 = x_of(i), y2 = y_of(i) + kNodeHeight / 2;
      // An edge that skips layers arcs under the row instead of running
      // through the nodes between.
      int skipped = at[i].first - at[d].first - 1, dip = skipped > 0 ? kNodeHeight / 2 + 10 + 8 * skipped : 0;
      int c1x = skipped > 0 ? x1 + kColumn / 2 : (x1 + x2) / 2, c2x = skipped > 0 ? x2 - kColumn / 2 : (x1 + x2) / 2;
      svg += fmt::format("<path d=\"M{} {} C{} {} {} {} {} {}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"/>\n",
                         x1, y1, c1x, std::max(y1, y2) + dip * 2, c2x, std::max(y1, y2) + dip * 2, x2, y2,
                         hot ? kCritical : "#9ca3af", hot ? 4 : 1.5);
    }
  for (size_t i = 0; i < n; ++i) {
    const plan::Step& s = plan.steps[i];
    auto phase = phase_index.find(s.phase);
    const char* fill = phase == phase_index.end() ? "#ffffff" : kPhaseFills[phase->second % std::size(kPhaseFills)];
    bool irreversible = s.undo.kind == plan::Undo::Kind::Irreversible;
    std::string stroke = irreversible ? "#b91c1c" : on_path.contains(s.id) ? kCritical : "#374151";
    std::string title = fmt::format("{}{}{}", s.id, s.description.empty() ? "" : "\n" + s.description,
                                    irreversible ? "\nirreversible: " + s.undo.reason : "");
    svg += fmt::format("<g><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{}\" fill=\"{}\" "
                       "stroke=\"{}\" stroke-width=\"{}\"{}/>\n",
                       XmlEscape(title), x_of(i), y_of(i), kNodeWidth, kNodeHeight, s.gate ? 18 : 6, fill, stroke,
                       irreversible || on_path.contains(s.id) ? 3 : 1.2, s.gate ? " stroke-dasharray=\"6 3\"" : "");
    if (run) {
      auto it = run->steps.find(s.id);
      StepStatus status = it == run->steps.end() ? StepStatus::Pending : it->second.status;
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>\n",
                         x_of(i), y_of(i), kNodeHeight, StatusFill(status), StatusName(status));
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\"{}>{}</text></g>\n", x_of(i) + 14,
                       y_of(i) + kNodeHeight / 2 + 5, irreversible ? " font-weight=\"bold\"" : "",
                       XmlEscape(Fit(s.id, 22)));
  }
  return svg + "</svg>\n";
}

// The proven schedule (every step taking its estimate), and the run's
// actual spans below each bar when there is a run.
std::string Timeline(const plan::Plan& plan, int jobs, const std::optional<RunView>& run) {
  Simulation sim = SimulateRun(plan, jobs);
  int64_t span_ms = std::max<int64_t>(sim.total_ms, 1);
  if (run)
    for (const auto& [id, span] : run->spans) span_ms = std::max(span_ms, span.second);
  constexpr int kLabel = 200, kWidth = 760, kBar = 14;
  int lane = run ? 2 * kBar + 8 : kBar + 8;
  size_t n = plan.steps.size();
  int height = kMargin + static_cast<int>(n) * lane + 30;
  std::string svg = fmt::format("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
                                "height=\"{}\" role=\"img\" aria-label=\"timeline\">\n",
                                kLabel + kWidth + kMargin, height);
  auto x = [&](int64_t ms) { return kLabel + static_cast<int>(static_cast<double>(ms) / span_ms * kWidth); };
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return sim.started_ms[a] < sim.started_ms[b]; });
  int y = kMargin;
  for (uint32_t i : order) {
    const plan::Step& s = plan.steps[i];
    svg += fmt::format("<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text>\n", y + kBar - 3, XmlEscape(Fit(s.id, 28)));
    int x0 = x(sim.started_ms[i]), x1 = std::max(x0 + 2, x(sim.started_ms[i] + s.estimate_ms));
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#93c5fd\"><title>{}: +{} for {} "
                       "(estimate)</title></rect>\n",
                       x0, y, x1 - x0, kBar, XmlEscape(s.id), plan::HumanDuration(sim.started_ms[i]),
                       plan::HumanDuration(s.estimate_ms));
    if (run) {
      auto it = run->steps.find(s.id);
      StepStatus status = it == run->steps.end() ? StepStatus::Pending : it->second.status;
      if (auto span = run->spans.find(s.id); span != run->spans.end()) {
        int r0 = x(span->second.first), r1 = std::max(r0 + 2, x(span->second.second));
        svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {} in run {}"
                           "</title></rect>\n",
                           r0, y + kBar + 2, r1 - r0, kBar, StatusFill(status), XmlEscape(s.id), StatusName(status),
                           run->info.id);
      }
    }
    y += lane;
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\">0</text><text x=\"{}\" y=\"{}\" font-size=\"11\" "
                     "text-anchor=\"end\">{}</text>\n",
                     kLabel, y + 14, kLabel + kWidth, y + 14, plan::HumanDuration(span_ms));
  return svg + "</svg>\n";
}

std::string Page(const plan::Plan& plan, int jobs, const std::optional<RunView>& run, const std::string& note) {
  std::string phases;
  for (size_t k = 0; k < plan.phases.size(); ++k)
    phases += fmt::format("<span class=\"key\"><i style=\"background:{}\"></i>{}</span>",
                          kPhaseFills[k % std::size(kPhaseFills)], XmlEscape(plan.phases[k].title));
  std::string run_line = run ? fmt::format("run {}: <b>{}</b>, started {}", run->info.id, XmlEscape(run->info.status),
                                           XmlEscape(run->info.started_at))
                             : XmlEscape(note);
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>sparkc: {module}</title>\n"
      "<style>body{{font-family:sans-serif;margin:24px;color:#111827}} h1{{font-size:20px}} h2{{font-size:16px;"
      "margin-top:28px}} .meta{{color:#4b5563}} .key{{margin-right:14px;font-size:13px}} .key i{{display:inline-block;"
      "width:12px;height:12px;margin-right:4px;border:1px solid #374151;vertical-align:middle}} svg{{display:block;"
      "overflow:visible}}</style>\n</head><body>\n"
      "<h1>{module}</h1>\n<p class=\"meta\">{digest} · {steps} steps · parallelism {jobs} · the run ends within {est} "
      "by estimate, {hard} by timeouts; a rollback within {rest}{rto}</p>\n"
      "<p class=\"meta\">{run}</p>\n"
      "<h2>The DAG</h2>\n<p>{phases}<span class=\"key\"><i style=\"background:{critical}\"></i>critical path by "
      "estimate</span><span class=\"key\"><i style=\"border:2px dashed #374151;border-radius:6px\"></i>gate</span>"
      "<span class=\"key\"><i style=\"border:3px solid #b91c1c\"></i>irreversible</span>{status_key}</p>\n"
      "{graph}<h2>Timeline</h2>\n<p class=\"meta\">Blue: the schedule the bounds are proven for, every step taking "
      "its estimate at parallelism {jobs}.{run_key}</p>\n{timeline}</body></html>\n",
      fmt::arg("module", XmlEscape(plan.module)), fmt::arg("digest", XmlEscape(plan.digest)),
      fmt::arg("steps", plan.steps.size()), fmt::arg("jobs", jobs),
      fmt::arg("est", plan::BoundText(plan.forward.estimate)), fmt::arg("hard", plan::BoundText(plan.forward.hard)),
      fmt::arg("rest", plan::BoundText(plan.rollback.estimate)),
      fmt::arg("rto", plan.rto_ms >= 0 ? " (RTO " + plan::HumanDuration(plan.rto_ms) + ")" : ""),
      fmt::arg("run", run_line), fmt::arg("phases", phases), fmt::arg("critical", kCritical),
      fmt::arg("status_key", run ? "<span class=\"key\">left bar: the step's status in the run</span>" : ""),
      fmt::arg("graph", Graph(plan, run)),
      fmt::arg("run_key", run ? " Below each: when it ran in run " + std::to_string(run->info.id) +
                                    ", coloured by its status." : ""),
      fmt::arg("timeline", Timeline(plan, jobs, run)));
}

}  // namespace

int Report(const plan::Plan& plan, const RunOptions& options, const std::string& output) {
  std::optional<RunView> run;
  std::string note;
  try {
    run = LastRunOf(plan, options, note);
  } catch (const std::exception& e) {
    return ReportStateError(options, fmt::format("state store: {}", e.what()));
  }
  std::string page = Page(plan, static_cast<int>(plan.parallelism), run, note), error;
  if (output.empty() || output == "-") {
    *options.out << page;
    return kExitOk;
  }
  if (!WriteFileAtomically(output, page, error)) {
    *options.err << fmt::format("sparkc: error: cannot write `{}`: {}\n", output, error);
    return kExitNeedsOperator;
  }
  *options.out << fmt::format("wrote {} ({}{})\n", output, plan.steps.size(),
                              run ? fmt::format(" steps, run {}", run->info.id) : " steps, no run");
  return kExitOk;
}

}  // namespace sparkc::runtime
