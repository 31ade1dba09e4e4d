// GitHub Actions workflow commands (`::error file=...,line=...::message`),
// which the runner turns into annotations on the pull request: `check
// --format github` writes one per diagnostic, `apply --format github` one
// per step that failed or waits.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sparkc {

// One command line: `::LEVEL k=v,...::message`, escaped as the runner
// unescapes it (% \r \n in the message; also : and , in property values).
std::string GithubCommand(std::string_view level,
                          const std::vector<std::pair<std::string, std::string>>& properties,
                          std::string_view message);

}  // namespace sparkc
