// The strings of a step that uses outputs of earlier steps. The compiler
// writes each value known only when the plan runs as a placeholder,
// `${{expr}}`, where `expr` is the canonical text of a runtime expression
// (`output("find_leader", "leader")`); the runtime evaluates it at the moment
// the action starts. In such a step a literal `${{` is written as the
// placeholder of its own string literal, so no text is ever mistaken for one.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "compiler/plan/plan.h"

namespace sparkc::plan {

std::string Placeholder(std::string_view expr);
// Literal text as it appears inside a template.
std::string EscapeTemplateText(std::string_view text);
// Whether a placeholder's expression is the escape of a literal `${{`.
bool IsEscape(std::string_view expr);

// Evaluates one placeholder's expression into `out`, or says why not.
using PlaceholderValue = std::function<bool(std::string_view expr, std::string& out, std::string& error)>;

// `text` with every placeholder replaced by its value. False with `error`
// on the first that fails or a placeholder that does not end.
bool ExpandTemplate(std::string_view text, const PlaceholderValue& value, std::string& out, std::string& error);
// Every string of the action (argv, variables, cwd, stdin or body, URL,
// instruction, the items of a sequence) expanded in place.
bool ExpandAction(Action& action, const PlaceholderValue& value, std::string& error);

// The template as one expression: its literal parts as string literals and
// its placeholders as `string(expr)`, joined with `+`; a template without
// placeholders is its string literal. How a probe's arguments are written.
std::string TemplateExpression(std::string_view text);
// The literal text of a template that has no placeholder but escapes (a
// step without inputs); false when it has a placeholder.
bool UnescapeTemplate(std::string& text);
bool UnescapeAction(Action& action);

// "find_leader.leader": how plans name an output of a step. Output names
// are identifiers, so the last dot separates them from step ids with dots.
std::string InputName(std::string_view step, std::string_view output);
void SplitInputName(std::string_view input, std::string& step, std::string& output);

}  // namespace sparkc::plan
