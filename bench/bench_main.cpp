// sparkc-bench: the measurements bench/run.py cannot take from the outside.
//   sparkc-bench parse FILE            the front end alone (ANTLR + AST)
//   sparkc-bench graph N               DAG build, cycle check, order, critical paths
//   sparkc-bench journal N JOBS DIR|URL  durable transitions per second; resume replay
//   sparkc-bench fsync DIR             raw fdatasync rate of DIR's disk
// Each prints `name value unit` lines that run.py parses.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "compiler/dag/dag.h"
#include "compiler/dag/paths.h"
#include "compiler/parse/parse.h"
#include "compiler/plan/plan.h"
#include "runtime/exec/process.h"
#include "runtime/state/store.h"

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int Parse(const char* path) {
  sparkc::SourceManager sources;
  sparkc::Diagnostics diags(sources);
  std::string text, error;
  if (!sparkc::ReadFile(path, text, error)) {
    fmt::print(stderr, "cannot read {}: {}\n", path, error);
    return 1;
  }
  auto start = Clock::now();
  sparkc::FileId file = sources.Add(path, path, std::move(text));
  sparkc::Module module = sparkc::ParseFile(sources, file, diags);
  fmt::print("parse_seconds {:.3f} s\ndecls {} count\n", Since(start), module.decls.size());
  return diags.has_errors() ? 1 : 0;
}

int Graph(uint32_t n) {
  auto start = Clock::now();
  sparkc::dag::Graph g(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (i % 10) g.AddEdge(i - 1, i);
    if (i >= 10) g.AddEdge(i - 10, i);
  }
  double build = Since(start);
  auto t = Clock::now();
  bool acyclic = g.FindCycle().empty();
  double cycle = Since(t);
  t = Clock::now();
  std::vector<uint32_t> rank(n);
  for (uint32_t i = 0; i < n; ++i) rank[i] = i;
  std::vector<uint32_t> order = g.TopologicalOrder(rank);
  double topo = Since(t);
  t = Clock::now();
  std::vector<int64_t> weight(n);
  for (uint32_t i = 0; i < n; ++i) weight[i] = 1000 + i % 5 * 1000;
  sparkc::dag::Path forward = sparkc::dag::LongestPath(g, order, weight);
  sparkc::dag::Path backward = sparkc::dag::LongestPath(g, order, weight, true);
  double paths = Since(t);
  fmt::print("graph_build {:.3f} s\ncycle_check {:.3f} s\ntopological_order {:.3f} s\ncritical_paths {:.3f} s\n"
             "graph_total {:.3f} s\n", build, cycle, topo, paths, Since(start));
  return acyclic && !forward.nodes.empty() && !backward.nodes.empty() ? 0 : 1;
}

// DIR is a state directory (started afresh) or a postgres:// URL.
int Journal(int64_t n, int jobs, const char* dir) {
  if (!sparkc::runtime::IsPostgresUrl(dir)) std::filesystem::remove_all(dir);
  std::string error;
  auto store = sparkc::runtime::StateStore::Open(dir, error);
  if (!store) {
    fmt::print(stderr, "{}\n", error);
    return 1;
  }
  int64_t run = store->CreateRun("sha256:bench", "{}");
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < jobs; ++w)
    workers.emplace_back([&, w] {
      for (int64_t i = w; i < n; i += jobs)
        store->Record(run, {fmt::format("s{}", i), sparkc::runtime::StepStatus::Succeeded, 1, {}, {}});
    });
  for (std::thread& t : workers) t.join();
  double seconds = Since(start);
  fmt::print("transitions_per_second {:.0f} 1/s\nseconds_per_transition {:.9f} s\n", n / seconds, seconds / n);
  auto replay = Clock::now();
  size_t steps = store->Steps(run).size();
  fmt::print("resume_replay {:.3f} s\n", Since(replay));
  return steps == static_cast<size_t>(n) ? 0 : 1;
}

int Fsync(const char* dir) {
  std::filesystem::create_directories(dir);
  std::string path = std::string(dir) + "/fsync-probe";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 1;
  char block[4096];
  std::memset(block, 'x', sizeof block);
  auto start = Clock::now();
  int64_t count = 0;
  while (Since(start) < 1.0) {
    if (pwrite(fd, block, sizeof block, (count % 256) * 4096) < 0 || fdatasync(fd) != 0) return 1;
    ++count;
  }
  fmt::print("fdatasync_per_second {:.0f} 1/s\n", count / Since(start));
  close(fd);
  std::filesystem::remove(path);
  return 0;
}

// posix_spawn of `true` N times, with a plan file held in memory (or none:
// "-"); what a large plan costs every action sparkc starts.
int Spawn(const char* plan_path, int n) {
  sparkc::plan::Plan plan;
  if (std::string(plan_path) != "-") {
    std::string text, error;
    if (!sparkc::ReadFile(plan_path, text, error) || sparkc::plan::LoadPlan(text, plan, error) != sparkc::plan::LoadStatus::Ok) {
      fmt::print(stderr, "cannot load {}: {}\n", plan_path, error);
      return 1;
    }
  }
  long pages = 0, resident = 0;
  if (FILE* statm = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(statm);
  }
  sparkc::runtime::ProcessSpec spec;
  spec.argv = {"true"};
  auto start = Clock::now();
  for (int i = 0; i < n; ++i)
    if (!sparkc::runtime::RunProcess(spec).ok()) return 1;
  fmt::print("spawn_us {:.1f} us\nresident_mb {:.0f} MiB\nplan_steps {} count\n", Since(start) / n * 1e6,
             resident * sysconf(_SC_PAGESIZE) / 1048576.0, plan.steps.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "parse" && argc == 3) return Parse(argv[2]);
  if (mode == "spawn" && argc == 4) return Spawn(argv[2], std::stoi(argv[3]));
  if (mode == "graph" && argc == 3) return Graph(static_cast<uint32_t>(std::stoul(argv[2])));
  if (mode == "journal" && argc == 5) return Journal(std::stoll(argv[2]), std::stoi(argv[3]), argv[4]);
  if (mode == "fsync" && argc == 3) return Fsync(argv[2]);
  fmt::print(stderr, "usage: sparkc-bench parse FILE | graph N | journal N JOBS DIR | fsync DIR | spawn PLAN|- N\n");
  return 2;
}
