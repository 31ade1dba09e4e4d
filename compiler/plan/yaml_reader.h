// Reads a plan's text into the JSON tree it mirrors, strictly: a key twice
// in one mapping, a second YAML document, or nesting past the limit is an
// error with its line and column, so that a file cannot show a reviewer one
// thing while the loader reads another.
//
// YAML goes through libyaml's event parser: yaml-cpp built a node graph
// first and took most of the time a large apply spent before its first
// step. Aliases are refused (sparkc never writes them, and they are how a
// small file expands into gigabytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/plan/plan.h"

namespace sparkc::plan {

struct ReadError : std::runtime_error {
  ReadError(const std::string& message, TextPosition at) : std::runtime_error(message), at(at) {}
  TextPosition at;
};

// The first document of `text`. Plain scalars become null, booleans and
// numbers when they look like one; quoted scalars are always strings.
// Throws ReadError, also beyond `max_nodes` nodes or `max_depth` levels.
nlohmann::ordered_json ReadYaml(std::string_view text, size_t max_nodes, int max_depth);
nlohmann::ordered_json ReadJson(std::string_view text, int max_depth);

// Where the node at `path` (keys, and list indexes in decimal, below the
// root) is written: its key in a mapping, its start in a list. Where only a
// prefix of the path exists (a missing key), where the deepest part is.
TextPosition LocateYaml(std::string_view text, const std::vector<std::string>& path);
TextPosition LocateJson(std::string_view text, const std::vector<std::string>& path);

}  // namespace sparkc::plan
