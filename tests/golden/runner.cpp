// Golden tests. Each test is a .spark file in this directory (or a directory
// holding main.spark, for tests with several files):
//   fail_*.spark   `sparkc check` must fail; the expected exit code and
//                  diagnostics are the `// CHECK:` lines at the end of the file.
//   fmt_*.spark    `sparkc fmt --stdout` must succeed; the expected text is
//                  the file beside it with the extension .formatted.
//   other *.spark  `sparkc plan` must succeed; the expected plan is the
//                  file beside it with the extension .plan.yaml.
// A first line `// ARGS: ...` replaces the command (`%s` is the file).
// `--update` rewrites every expectation from the actual output, for review
// with `git diff`.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "tools/sparkc/driver.h"

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCheck = "// CHECK:";

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Outcome {
  int exit_code;
  std::string out, err;
};

enum class Mode { Plan, Fail, Format };

Outcome Run(const std::string& file, const std::string& source, Mode mode) {
  std::vector<std::string> args = {"sparkc"};
  std::string first = source.substr(0, source.find('\n'));
  if (first.starts_with("// ARGS:")) {
    std::istringstream in(first.substr(8));
    for (std::string word; in >> word;) args.push_back(word == "%s" ? file : word);
  } else if (mode == Mode::Fail) {
    args.insert(args.end(), {"check", file});
  } else if (mode == Mode::Format) {
    args.insert(args.end(), {"fmt", "--stdout", file});
  } else {
    args.insert(args.end(), {"plan", file});
  }
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  int code = sparkc::Main(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

// The expectation block appended to a failing test.
std::string Expectations(const Outcome& o) {
  std::string text = std::string(kCheck) + "EXIT: " + std::to_string(o.exit_code) + "\n";
  for (const std::string& line : Lines(o.out)) text += std::string(kCheck) + "STDOUT: " + line + "\n";
  for (const std::string& line : Lines(o.err)) text += std::string(kCheck) + "STDERR: " + line + "\n";
  return text;
}

std::string WithoutExpectations(const std::string& source) {
  std::string kept;
  for (const std::string& line : Lines(source))
    if (!line.starts_with(kCheck)) kept += line + "\n";
  while (kept.size() >= 2 && kept.ends_with("\n\n")) kept.pop_back();
  return kept;
}

std::string ExistingExpectations(const std::string& source) {
  std::string text;
  for (const std::string& line : Lines(source))
    if (line.starts_with(kCheck)) text += line + "\n";
  return text;
}

bool RunTest(const fs::path& test, bool update) {
  bool is_dir = fs::is_directory(test);
  fs::path file = is_dir ? test / "main.spark" : test;
  std::string name = test.filename().string();
  std::string display = is_dir ? (fs::path(name) / "main.spark").string() : name;
  bool failing = name.starts_with("fail_");
  bool formatting = name.starts_with("fmt_");
  std::string source = Read(file);
  Outcome o = Run(display, source, failing ? Mode::Fail : formatting ? Mode::Format : Mode::Plan);

  if ((o.exit_code != 0) != failing) {
    std::cerr << "FAIL " << name << ": exit code " << o.exit_code
              << (failing ? " but a fail_ test must fail\n" : " but the test must pass\n")
              << o.err;
    return false;
  }
  if (failing) {
    std::string actual = Expectations(o);
    if (update) {
      Write(file, WithoutExpectations(source) + "\n" + actual);
      return true;
    }
    if (actual == ExistingExpectations(source)) return true;
    std::cerr << "FAIL " << name << ": diagnostics differ\n--- expected\n"
              << ExistingExpectations(source) << "--- actual\n" << actual;
    return false;
  }
  const char* extension = formatting ? ".formatted" : ".plan.yaml";
  fs::path golden = is_dir ? test / (std::string("main") + extension) : fs::path(test).replace_extension(extension);
  if (update) {
    Write(golden, o.out);
    return true;
  }
  if (!fs::exists(golden)) {
    std::cerr << "FAIL " << name << ": no " << golden.filename() << "; run with --update\n";
    return false;
  }
  if (Read(golden) == o.out && o.err.empty()) return true;
  std::cerr << "FAIL " << name << ": the " << (formatting ? "formatted text" : "plan") << " differs from "
            << golden.filename()
            << " (run the golden runner with --update and review the diff)\n" << o.err;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: golden_runner DIR [--update] [TEST...]\n";
    return 2;
  }
  fs::path dir = fs::absolute(argv[1]);
  bool update = false;
  std::vector<std::string> only;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--update") update = true;
    else only.push_back(arg);
  }
  // Paths in diagnostics are relative to the working directory.
  fs::current_path(dir);
  std::vector<fs::path> tests;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path& p = entry.path();
    bool is_test = (p.extension() == ".spark") || (entry.is_directory() && fs::exists(p / "main.spark"));
    if (!is_test) continue;
    if (!only.empty() && std::find(only.begin(), only.end(), p.filename().string()) == only.end()) continue;
    tests.push_back(p);
  }
  std::sort(tests.begin(), tests.end());
  int failed = 0;
  for (const fs::path& test : tests) failed += !RunTest(test, update);
  std::cerr << tests.size() - failed << " of " << tests.size() << " golden tests passed"
            << (update ? " (expectations updated)" : "") << "\n";
  return failed == 0 ? 0 : 1;
}
