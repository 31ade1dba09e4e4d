// Shell completions (bash, zsh, fish) and the man page, generated from the
// command definitions (CLI11) so that they cannot drift from them. The
// build writes them with the hidden `sparkc completion SHELL` and
// `sparkc manpage`; `cmake --install` installs them.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace sparkc {

std::string BashCompletion(const CLI::App& app);
std::string ZshCompletion(const CLI::App& app);
std::string FishCompletion(const CLI::App& app);
std::string ManPage(const CLI::App& app, const std::string& version);

}  // namespace sparkc
