#include "tools/sparkc/completions.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

namespace sparkc {
namespace {

struct Flag {
  std::vector<std::string> names;  // "--format", "-j"
  std::string description;
  bool takes_value = false;
  std::vector<std::string> choices;  // from IsMember
  bool file = false;                 // a path
};

struct Command {
  std::string name, description;
  std::vector<Flag> flags;
  std::vector<std::string> positionals;  // their names
};

// CLI11 writes a member check into the type name: "TEXT:{text,json}".
std::vector<std::string> Choices(const std::string& type) {
  std::vector<std::string> out;
  size_t open = type.find('{'), close = type.find('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string list = type.substr(open + 1, close - open - 1), item;
  for (char c : list + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  return out;
}

// The visible commands, each with its options, in definition order.
std::vector<Command> Commands(const CLI::App& app) {
  std::vector<Command> out;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_group().empty()) continue;  // hidden
    Command c{sub->get_name(), sub->get_description(), {}, {}};
    for (const CLI::Option* opt : sub->get_options()) {
      if (opt->get_positional()) {
        c.positionals.push_back(opt->get_name());
        continue;
      }
      Flag f;
      for (const std::string& s : opt->get_snames()) f.names.push_back("-" + s);
      for (const std::string& l : opt->get_lnames()) f.names.push_back("--" + l);
      f.description = opt->get_description();
      f.takes_value = opt->get_type_size() != 0 && opt->get_expected_max() != 0;
      std::string type = opt->get_type_name();
      f.choices = Choices(type);
      f.file = type.find("FILE") != std::string::npos || f.names.back() == "--output" ||
               f.names.back() == "--report" || f.names.back() == "--junit";
      c.flags.push_back(std::move(f));
    }
    out.push_back(std::move(c));
  }
  return out;
}


// For single-quoted shell strings.
std::string Quoted(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out;
}

// roff: a leading dot or quote would be a request; backslashes and hyphens
// are escaped.
std::string Roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

}  // namespace

std::string BashCompletion(const CLI::App& app) {
  std::vector<Command> commands = Commands(app);
  std::vector<std::string> names;
  for (const Command& c : commands) names.push_back(c.name);
  std::string cases;
  for (const Command& c : commands) {
    std::vector<std::string> flags, files, valued;
    std::string choice_cases;
    for (const Flag& f : c.flags) {
      flags.insert(flags.end(), f.names.begin(), f.names.end());
      if (!f.takes_value) continue;
      if (!f.choices.empty())
        choice_cases += fmt::format("        {}) COMPREPLY=($(compgen -W '{}' -- \"$cur\")); return ;;\n",
                                    fmt::join(f.names, "|"), fmt::join(f.choices, " "));
      else if (f.file)
        files.insert(files.end(), f.names.begin(), f.names.end());
      else
        valued.insert(valued.end(), f.names.begin(), f.names.end());
    }
    cases += fmt::format("    {})\n      case \"$prev\" in\n{}", c.name, choice_cases);
    if (!files.empty()) cases += fmt::format("        {}) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", fmt::join(files, "|"));
    if (!valued.empty()) cases += fmt::format("        {}) return ;;\n", fmt::join(valued, "|"));
    cases += fmt::format("      esac\n      flags='{}'\n      ;;\n", fmt::join(flags, " "));
  }
  return fmt::format(R"(# bash completion for sparkc, generated from its command definitions
# (`sparkc completion bash`); do not edit.
_sparkc() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W '{} --help --version' -- "$cur"))
    return
  fi
  local flags=''
  case "${{COMP_WORDS[1]}}" in
{}  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags --help" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _sparkc sparkc
)",
                     fmt::join(names, " "), cases);
}

std::string ZshCompletion(const CLI::App& app) {
  std::vector<Command> commands = Commands(app);
  std::string list, cases;
  for (const Command& c : commands) {
    list += fmt::format("    '{}:{}'\n", c.name, Quoted(c.description));
    std::string specs;
    for (const Flag& f : c.flags) {
      std::string action = !f.choices.empty() ? fmt::format(":value:({})", fmt::join(f.choices, " "))
                           : f.file           ? ":file:_files"
                           : f.takes_value    ? ":value:"
                                              : "";
      std::string description = Quoted(f.description);
      for (char& ch : description)
        if (ch == '[' || ch == ']') ch = ch == '[' ? '(' : ')';
      for (const std::string& name : f.names) specs += fmt::format("        '{}[{}]{}' \\\n", name, description, action);
    }
    cases += fmt::format("      {})\n        _arguments \\\n{}        '*:file:_files'\n        ;;\n", c.name, specs);
  }
  return fmt::format(R"(#compdef sparkc
# zsh completion for sparkc, generated from its command definitions
# (`sparkc completion zsh`); do not edit.
_sparkc() {{
  local -a commands
  commands=(
{}  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local command=${{words[2]}}
  shift words
  (( CURRENT-- ))
  case $command in
{}  esac
}}
_sparkc "$@"
)",
                     list, cases);
}

std::string FishCompletion(const CLI::App& app) {
  std::vector<Command> commands = Commands(app);
  std::vector<std::string> names;
  for (const Command& c : commands) names.push_back(c.name);
  std::string out = "# fish completion for sparkc, generated from its command definitions\n"
                    "# (`sparkc completion fish`); do not edit.\n"
                    "complete -c sparkc -f\n";
  for (const Command& c : commands)
    out += fmt::format("complete -c sparkc -n 'not __fish_seen_subcommand_from {}' -a {} -d '{}'\n", fmt::join(names, " "),
                       c.name, Quoted(c.description));
  for (const Command& c : commands) {
    if (!c.positionals.empty()) out += fmt::format("complete -c sparkc -n '__fish_seen_subcommand_from {}' -F\n", c.name);
    for (const Flag& f : c.flags) {
      std::string line = fmt::format("complete -c sparkc -n '__fish_seen_subcommand_from {}'", c.name);
      for (const std::string& name : f.names)
        line += name.starts_with("--") ? " -l " + name.substr(2) : " -s " + name.substr(1);
      if (!f.choices.empty()) line += fmt::format(" -x -a '{}'", fmt::join(f.choices, " "));
      else if (f.file) line += " -r -F";
      else if (f.takes_value) line += " -x";
      out += line + fmt::format(" -d '{}'\n", Quoted(f.description));
    }
  }
  return out;
}

std::string ManPage(const CLI::App& app, const std::string& version) {
  std::string out = fmt::format(
      ".\\\" sparkc(1), generated from its command definitions (`sparkc manpage`); do not edit.\n"
      ".TH SPARKC 1 \"\" \"sparkc {}\" \"User Commands\"\n"
      ".SH NAME\nsparkc \\- {}\n"
      ".SH SYNOPSIS\n.B sparkc\n.I command\n[\\fIoptions\\fR] [\\fIfiles\\fR]\n"
      ".SH DESCRIPTION\nsparkc type\\-checks migration specs written in the .spark language, proves what it can "
      "before anything runs (invariants, cycles, points of no return, time bounds against windows and the RTO), "
      "emits a deterministic, digest\\-sealed plan, applies it with a journal and rolls it back.\n"
      ".SH COMMANDS\n",
      Roff(version), Roff(app.get_description().starts_with("sparkc: ") ? app.get_description().substr(8)
                                                                            : app.get_description()));
  for (const Command& c : Commands(app)) {
    out += fmt::format(".SS \"{}{}\"\n{}\n", c.name,
                       c.positionals.empty() ? "" : " " + fmt::format("{}", fmt::join(c.positionals, " ")), Roff(c.description));
    for (const Flag& f : c.flags) {
      std::string names;
      for (const std::string& name : f.names) names += (names.empty() ? "" : ", ") + std::string("\\fB") + Roff(name) + "\\fR";
      std::string value = !f.choices.empty() ? " " + Roff(fmt::format("{}", fmt::join(f.choices, "|"))) : f.takes_value ? " \\fIVALUE\\fR" : "";
      out += fmt::format(".TP\n{}{}\n{}\n", names, value, Roff(f.description));
    }
  }
  out += ".SH EXIT STATUS\n"
         "0 success; 1 the spec or plan is invalid (diff: the plans differ; fmt \\-\\-check: not formatted); 2 usage "
         "error; 3 apply failed and was rolled back; 4 apply or rollback failed or was interrupted and needs an "
         "operator; 5 verify found drift; 6 stopped at a gate or manual step waiting for approval; 7 the state store "
         "is locked; 8 a precondition is false.\n"
         ".SH ENVIRONMENT\n"
         ".TP\nSPARKC_PATH\ncolon\\-separated directories where \\fBimport std.NAME\\fR looks first\n"
         ".TP\nSPARKC_APPROVER\nthe name approvals record (else USER)\n"
         ".TP\nSPARKC_STATE_KEY\nthe key that seals secret step outputs in the journal\n"
         ".TP\nNO_COLOR\nno colour, on a terminal too\n"
         ".TP\nCI\nset: no live view and no prompts\n"
         ".SH SEE ALSO\nREADME.md, docs/language.md, docs/events.md in the sparkc sources.\n";
  return out;
}

}  // namespace sparkc
