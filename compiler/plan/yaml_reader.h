// Reads a YAML plan into the JSON tree it mirrors, with libyaml's event
// parser: yaml-cpp built a node graph first and took most of the time a
// large apply spent before its first step. Aliases are refused (sparkc never
// writes them, and they are how a small file expands into gigabytes).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sparkc::plan {

struct YamlError : std::runtime_error {
  using std::runtime_error::runtime_error;  // "malformed YAML at line N: ..."
};

// The first document of `text`. Plain scalars become null, booleans and
// numbers when they look like one; quoted scalars are always strings.
// Throws YamlError, or std::length_error beyond `max_nodes` or `max_depth`.
nlohmann::ordered_json ReadYaml(std::string_view text, size_t max_nodes, int max_depth);

}  // namespace sparkc::plan
