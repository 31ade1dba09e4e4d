// ANTLR glue: input checks, the nesting prescan, and syntax errors in
// sparkc's words. The tree is handed to Builder and dropped right after.
#include "compiler/parse/parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "compiler/parse/builder.h"
#include "compiler/parse/lexer.h"
#include "compiler/parse/parse_internal.h"
#include "compiler/parse/token_stream.h"
#include "compiler/source/stack_thread.h"

namespace sparkc {
namespace {

using P = sparkgen::SparkParser;
using parse::Builder;
using parse::TokenBuffer;

std::string Backticked(const std::string& literal) {
  // Vocabulary literal names are quoted like 'step'.
  return "`" + literal.substr(1, literal.size() - 2) + "`";
}

std::string DescribeToken(antlr4::Token* token) {
  switch (token->getType()) {
    case antlr4::Token::EOF: return "end of file";
    case P::IDENT: return fmt::format("name `{}`", token->getText());
    case P::STRING: return fmt::format("string {}", token->getText());
    case P::INT: case P::FLOAT: return fmt::format("number `{}`", token->getText());
    case P::VERSION: return fmt::format("version `{}`", token->getText());
    default: return fmt::format("`{}`", token->getText());
  }
}

std::string JoinAlternatives(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

// What the parser wanted, in words: token sets that start an expression or a
// declaration collapse into "an expression" / "a declaration".
std::string DescribeExpected(const antlr4::misc::IntervalSet& set, const antlr4::dfa::Vocabulary& vocab,
                             bool& wants_close_brace) {
  auto literal = [&](size_t t) { return vocab.getLiteralName(t); };
  static const std::vector<std::string> kExprStarts = {"'('", "'['", "'{'", "'-'", "'not'", "'true'",
                                                       "'false'", "'none'", "'irreversible'",
                                                       "'if'", "'hardware'"};
  static const std::vector<std::string> kDeclStarts = {
      "'module'", "'import'",  "'phase'",   "'objective'", "'step'",      "'gate'",
      "'template'", "'enum'",  "'record'",  "'const'",     "'fn'",        "'hardware'",
      "'environment'", "'service'", "'secret'", "'invariant'", "'window'"};
  bool is_expr = set.contains(size_t{P::INT}) && set.contains(size_t{P::STRING}) &&
                 set.contains(size_t{P::IDENT});
  bool is_decl = false;
  for (ssize_t raw : set.toList()) is_decl |= raw >= 0 && literal(static_cast<size_t>(raw)) == "'step'";
  std::vector<std::string> items;
  wants_close_brace = false;
  for (ssize_t raw : set.toList()) {
    auto t = static_cast<size_t>(raw);
    std::string lit = t != antlr4::Token::EOF ? literal(t) : "";
    if (lit == "'}'") wants_close_brace = true;
    if (is_expr && (t == P::INT || t == P::FLOAT || t == P::STRING || t == P::VERSION ||
                    t == P::IDENT ||
                    std::find(kExprStarts.begin(), kExprStarts.end(), lit) != kExprStarts.end()))
      continue;
    if (is_decl && std::find(kDeclStarts.begin(), kDeclStarts.end(), lit) != kDeclStarts.end())
      continue;
    if (t == antlr4::Token::EOF) items.push_back("end of file");
    else if (t == P::IDENT) items.push_back("a name");
    else if (t == P::STRING) items.push_back("a string");
    else if (t == P::INT || t == P::FLOAT) items.push_back("a number");
    else if (!lit.empty()) items.push_back(Backticked(lit));
  }
  if (is_decl) items.insert(items.begin(), "a declaration (`step`, `phase`, `import`, ...)");
  if (is_expr) items.insert(items.begin(), "an expression");
  return JoinAlternatives(items);
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(FileId file, const SourceManager& sources, Diagnostics& diags)
      : file_(file), sources_(sources), diags_(diags) {}

  bool failed() const { return count_ > 0 || silenced_; }
  // While silent, a syntax error is only remembered: the caller parses
  // again the way that reports it best.
  void set_silent(bool silent) { silent_ = silent; }

  // Reported before parsing, in the order the lexer found them.
  void LexerError(const parse::LexError& error) {
    Span span{file_, error.offset, error.offset + error.length};
    if (!Count(span)) return;
    std::string_view text = sources_.file(file_).text();
    char first = span.begin < text.size() ? text[span.begin] : ' ';
    if (first == '"') {
      diags_.Error(DiagnosticKind::E0004, span, "unterminated string literal")
          .Suggest("close the string with `\"` on the same line; write `\\n` for a line break");
    } else {
      std::string_view ch = text.substr(span.begin, span.end - span.begin);
      diags_.Error(DiagnosticKind::E0007, span, fmt::format("unexpected character `{}`", ch));
    }
  }

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t, size_t,
                   const std::string&, std::exception_ptr) override {
    if (silent_) {
      silenced_ = true;
      return;
    }
    auto* parser = static_cast<antlr4::Parser*>(recognizer);
    Span span = SpanAt(offending);
    if (offending != nullptr && offending->getType() == antlr4::Token::EOF)
      span = AfterLastToken(parser->getTokenStream(), offending->getTokenIndex(), span);
    if (span.begin == last_offset_) return;  // one error per position
    if (!Count(span)) return;
    last_offset_ = span.begin;
    bool wants_close = false;
    std::string expected;
    try {
      expected = DescribeExpected(parser->getExpectedTokens(), parser->getVocabulary(), wants_close);
    } catch (const std::exception&) {
    }
    std::string closing;
    Span opened;
    if (wants_close) Opener(parser->getContext(), closing, opened);
    // Inside an open block, what most helps is the brace that closes it.
    if (!closing.empty()) expected = "`}`";
    // After an operand with a bracket still open, ANTLR lists every operator
    // that could continue; the bracket that is missing is what helps.
    Span bracket;
    if (closing.empty() && expected.find("`and`") != std::string::npos &&
        UnclosedBracket(parser->getTokenStream(), offending, bracket)) {
      std::string_view open = sources_.file(file_).text().substr(bracket.begin, 1);
      LineCol at = sources_.file(file_).Locate(bracket.begin);
      expected = fmt::format("`{}` to close `{}` opened at {}:{}", open == "(" ? ")" : "]", open, at.line, at.column);
      opened = bracket;
    }
    std::string message = expected.empty()
        ? fmt::format("unexpected {}", DescribeToken(offending))
        : fmt::format("expected {}{}, found {}", expected, closing, DescribeToken(offending));
    Diagnostic& d = diags_.Error(DiagnosticKind::E0004, span, message);
    if (opened.valid()) d.Note(opened, "opened here");
    Hint(parser->getTokenStream(), offending, expected, d);
  }

 private:
  Span SpanAt(antlr4::Token* token) const {
    if (token == nullptr || token->getType() == antlr4::Token::EOF) {
      auto end = static_cast<uint32_t>(sources_.file(file_).text().size());
      return {file_, end, end};
    }
    return parse::SpanOfToken(file_, token);
  }

  // "found end of file" points just past the last token, where the missing
  // text belongs, rather than at trailing comments or blank lines.
  Span AfterLastToken(antlr4::TokenStream* tokens, size_t eof_index, Span fallback) const {
    if (eof_index == 0) return fallback;
    uint32_t end = SpanAt(tokens->get(eof_index - 1)).end;
    return {file_, end, end};
  }

  // The mistakes new users make most, recognized from the tokens around
  // the error: what they meant, and how to write it.
  void Hint(antlr4::TokenStream* tokens, antlr4::Token* offending, const std::string& expected, Diagnostic& d) const {
    if (offending == nullptr || offending->getType() == antlr4::Token::EOF) return;
    size_t at = offending->getTokenIndex();
    antlr4::Token* prev = at > 0 ? tokens->get(at - 1) : nullptr;
    antlr4::Token* prev2 = at > 1 ? tokens->get(at - 2) : nullptr;
    std::string text = offending->getText();
    // Where a declaration's name or block was expected, `=` is no comparison.
    if (text == "=" && expected.find("`{`") == std::string::npos && expected.find("a name") == std::string::npos) {
      d.Suggest("to compare, write `==`; `=` gives a field or a name its value");
      return;
    }
    static const std::vector<std::string> kKeywords = {
        "module", "import", "as", "phase", "objective", "step", "gate", "template", "enum", "record", "const",
        "fn", "hardware", "environment", "service", "secret", "invariant", "require", "window", "param"};
    if (expected.find("a name") != std::string::npos &&
        std::find(kKeywords.begin(), kKeywords.end(), text) != kKeywords.end()) {
      d.Suggest(fmt::format("`{}` is a keyword; choose another name (`{}_1`, `the_{}`)", text, text, text));
      return;
    }
    bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (digits && prev != nullptr && prev->getText() == "." && prev2 != nullptr &&
        std::isdigit(static_cast<unsigned char>(prev2->getText()[0]))) {
      d.Suggest(fmt::format("a version starts with `v`: write `v{}.{}`", prev2->getText(), text));
      return;
    }
    if (prev != nullptr && prev->getText().starts_with("\"")) {
      std::string literal = prev->getText();
      size_t open = literal.rfind("${");
      if (open != std::string_view::npos && literal.find('}', open) == std::string_view::npos)
        d.Note(SpanAt(prev), "this string ends at the `\"` inside `${...}`: a string literal cannot appear in an "
                             "interpolation")
            .Suggest("name the value first (const part = f(\"text\")) and write `${part}`");
    }
  }

  // The innermost `(` or `[` still open before `offending`.
  bool UnclosedBracket(antlr4::TokenStream* tokens, antlr4::Token* offending, Span& out) const {
    if (offending == nullptr) return false;
    const parse::Punctuation& p = parse::Punct();
    std::vector<antlr4::Token*> stack;
    for (size_t k = 0; k < offending->getTokenIndex(); ++k) {
      antlr4::Token* t = tokens->get(k);
      size_t type = t->getType();
      if (type == p.lparen || type == p.lbracket || type == p.lbrace) stack.push_back(t);
      else if ((type == p.rparen || type == p.rbracket || type == p.rbrace) && !stack.empty()) stack.pop_back();
    }
    if (stack.empty() || stack.back()->getType() == p.lbrace) return false;
    out = SpanAt(stack.back());
    return true;
  }

  bool Count(Span span) {
    if (++count_ < kMaxSyntaxErrorsPerFile) return true;
    if (count_ == kMaxSyntaxErrorsPerFile)
      diags_.Error(DiagnosticKind::E0004, span, "too many syntax errors in this file; stopping here");
    return false;
  }

  // The construct a missing `}`, `)` or `]` would close, for the message.
  void Opener(antlr4::ParserRuleContext* ctx, std::string& closing, Span& opened) const {
    for (; ctx != nullptr; ctx = dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent)) {
      auto* block = dynamic_cast<P::BlockContext*>(ctx);
      if (block == nullptr) continue;
      auto* owner = dynamic_cast<antlr4::ParserRuleContext*>(block->parent);
      std::string what = "the block";
      if (auto* step = dynamic_cast<P::StepDeclContext*>(owner); step && step->IDENT())
        what = fmt::format("step `{}`", step->IDENT()->getText());
      else if (auto* gate = dynamic_cast<P::GateDeclContext*>(owner); gate && gate->IDENT())
        what = fmt::format("gate `{}`", gate->IDENT()->getText());
      else if (dynamic_cast<P::ObjectiveDeclContext*>(owner) != nullptr)
        what = "`objective`";
      antlr4::Token* start = owner != nullptr && !dynamic_cast<P::MapLitContext*>(owner)
                                 ? owner->getStart() : block->getStart();
      opened = SpanAt(start);
      LineCol at = sources_.file(file_).Locate(opened.begin);
      closing = fmt::format(" to close {} opened at {}:{}", what, at.line, at.column);
      return;
    }
  }

  FileId file_;
  const SourceManager& sources_;
  Diagnostics& diags_;
  int count_ = 0;
  uint32_t last_offset_ = UINT32_MAX;
  bool silent_ = false, silenced_ = false;
};

// Brackets and runs of prefix operators each cost the recursive-descent
// parser stack frames; reject deep nesting before ANTLR recurses into it.
bool CheckNesting(const TokenBuffer& tokens, FileId file, Diagnostics& diags) {
  const parse::Punctuation& p = parse::Punct();
  int depth = 0, prefix = 0;
  bool after_operand = false;
  for (const parse::Lexeme& t : tokens.lexemes()) {
    uint32_t type = t.type;
    if (type == p.lparen || type == p.lbracket || type == p.lbrace) {
      ++depth;
      after_operand = false;
    } else if (type == p.rparen || type == p.rbracket || type == p.rbrace) {
      depth = std::max(0, depth - 1);
      prefix = 0;
      after_operand = true;
    } else if ((type == p.minus && !after_operand) || type == p.kw_not) {
      ++prefix;
    } else {
      bool operand = type == P::IDENT || type == P::STRING || type == P::INT || type == P::FLOAT ||
                     type == P::VERSION || type == p.kw_true || type == p.kw_false ||
                     type == p.kw_none || type == p.percent;
      if (operand) prefix = 0;
      after_operand = operand;
    }
    if (depth + prefix > kMaxNesting) {
      diags.Error(DiagnosticKind::E0005, {file, t.begin, t.end},
                  fmt::format("nesting is deeper than {} levels", kMaxNesting))
          .Suggest("split the expression into named `const`s");
      return false;
    }
  }
  return true;
}

bool CheckText(const SourceManager& sources, FileId file, Diagnostics& diags) {
  std::string_view text = sources.file(file).text();
  if (text.size() > kMaxSourceBytes) {
    diags.Error(DiagnosticKind::E0008, {file, 0, 0},
                fmt::format("file is {} bytes; the limit is {} bytes", text.size(), kMaxSourceBytes));
    return false;
  }
  bool is_nul = false;
  int64_t bad = FindInvalidText(text, is_nul);
  if (bad < 0) return true;
  Span span{file, static_cast<uint32_t>(bad), static_cast<uint32_t>(bad + 1)};
  if (is_nul)
    diags.Error(DiagnosticKind::E0003, span, "NUL byte in source file")
        .Note({}, "a .spark file is UTF-8 text; this looks like a binary file");
  else
    diags.Error(DiagnosticKind::E0002, span,
                fmt::format("invalid UTF-8: byte 0x{:02X} starts no valid sequence",
                            static_cast<unsigned char>(text[bad])))
        .Suggest("re-encode the file as UTF-8, e.g. `iconv -f latin1 -t utf-8`");
  return false;
}

// The parts of one parse both entry points share.
struct Session {
  Session(const SourceManager& sources, FileId file, Diagnostics& diags)
      : tokens(sources.file(file).text(), parse::Lex(sources.file(file).text())),
        parser(&tokens),
        listener(file, sources, diags) {
    parser.removeErrorListeners();
    parser.addErrorListener(&listener);
    for (const parse::LexError& error : tokens.errors()) listener.LexerError(error);
  }
  TokenBuffer tokens;
  P parser;
  ErrorListener listener;
};

}  // namespace

// The first pass gives up at the first syntax error rather than recovering
// (ANTLR's bail strategy also skips the resynchronisation work on every
// loop), and predicts with SLL, which is faster and exact on valid input.
void PrepareFirstPass(Session& s, Module& module) {
  s.listener.set_silent(true);
  s.parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  s.parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  // Fewer expressions than tokens: the vector of them never moves.
  module.exprs.reserve(s.tokens.lexemes().size() / 2);
}

// `file : decl* EOF`, one declaration at a time: each parse tree is freed as
// soon as its AST is built, so memory holds the tokens and the AST, never
// the tree of a whole file. False on a syntax error, which the caller then
// reports from a whole-file parse.
bool ParseByDeclaration(Session& s, FileId file, Module& module, Diagnostics& diags) {
  PrepareFirstPass(s, module);
  Builder builder(file, s.tokens, module, diags);
  try {
    while (s.tokens.LA(1) != antlr4::Token::EOF) {
      P::DeclContext* decl = s.parser.decl();
      if (s.listener.failed()) return false;
      builder.Declaration(decl);
      s.parser.getTreeTracker().reset();
    }
  } catch (const antlr4::ParseCancellationException&) {
    return false;
  }
  return true;
}

// Parsed declarations on their way to the builder, with the parse tree
// nodes that make them up (the parser's tracker hands them over).
struct ParsedBatch {
  ParsedBatch() = default;
  ParsedBatch(ParsedBatch&&) = default;
  ParsedBatch& operator=(ParsedBatch&&) = delete;
  ~ParsedBatch() { nodes.reset(); }
  std::vector<P::DeclContext*> decls;
  antlr4::tree::ParseTreeTracker nodes;  // empty once moved from
};

// The same as ParseByDeclaration, on two cores: this thread parses and a
// second one builds the AST of what is parsed, in order, and frees the
// trees. Only the parser's thread touches the parser (ANTLR 4.9's runtime
// is not safe with two parsers at once), only the builder's the module and
// `diags`; a bounded queue keeps the trees in memory few.
bool ParsePipelined(Session& s, FileId file, Module& module, Diagnostics& diags) {
  constexpr size_t kBatch = 32, kQueued = 16;
  PrepareFirstPass(s, module);
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<ParsedBatch> queue;
  // Built, for the parser's thread to free: memory goes back to the
  // allocator of the thread that took it (freeing across threads cost more
  // than the overlap saved).
  std::vector<ParsedBatch> built;
  bool parsed_all = false, abandoned = false;
  std::exception_ptr build_error, parse_error;
  StackThread build(kDeepStackBytes, [&] {
    Builder builder(file, s.tokens, module, diags);
    try {
      while (true) {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !queue.empty() || parsed_all; });
        if (queue.empty()) return;
        ParsedBatch batch(std::move(queue.front()));
        queue.pop_front();
        lock.unlock();
        changed.notify_all();
        for (P::DeclContext* decl : batch.decls) builder.Declaration(decl);
        lock.lock();
        built.push_back(std::move(batch));
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      build_error = std::current_exception();
      abandoned = true;
      changed.notify_all();
    }
  });
  if (!build.started()) return ParseByDeclaration(s, file, module, diags);
  bool ok = true;
  auto hand_over = [&](ParsedBatch& batch) {
    std::swap(batch.nodes, s.parser.getTreeTracker());
    std::vector<ParsedBatch> done;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return queue.size() < kQueued || abandoned; });
      if (abandoned) return false;
      queue.push_back(std::move(batch));
      done.swap(built);
    }
    changed.notify_all();
    batch.decls.clear();
    // A freed tracker keeps its capacity: the parser's next one need not
    // grow from nothing.
    if (!done.empty()) {
      done.back().nodes.reset();
      std::swap(batch.nodes, done.back().nodes);
    }
    return true;  // `done` frees its trees here
  };
  try {
    ParsedBatch batch;
    while (ok && s.tokens.LA(1) != antlr4::Token::EOF) {
      batch.decls.push_back(s.parser.decl());
      ok = !s.listener.failed();
      if (ok && batch.decls.size() == kBatch) ok = hand_over(batch);
    }
    if (ok && !batch.decls.empty()) ok = hand_over(batch);
  } catch (const antlr4::ParseCancellationException&) {
    ok = false;
  } catch (...) {
    parse_error = std::current_exception();  // after the builder has stopped
  }
  {
    std::lock_guard lock(mutex);
    parsed_all = true;
  }
  changed.notify_all();
  build.Join();
  s.parser.getTreeTracker().reset();
  queue.clear();
  built.clear();
  if (parse_error) std::rethrow_exception(parse_error);
  if (build_error) std::rethrow_exception(build_error);
  return ok;
}

Module ParseFile(const SourceManager& sources, FileId file, Diagnostics& diags) {
  return parse::ParseFileWith(sources, file, diags, parse::kPipelineMinTokens);
}

namespace parse {

Module ParseFileWith(const SourceManager& sources, FileId file, Diagnostics& diags, size_t pipeline_min_tokens) {
  Module module;
  module.file = file;
  if (!CheckText(sources, file, diags)) return module;
  size_t reported = diags.size();
  {
    Session s(sources, file, diags);
    if (!CheckNesting(s.tokens, file, diags)) return module;
    bool pipelined = s.tokens.lexemes().size() >= pipeline_min_tokens;
    if (!s.listener.failed() &&
        (pipelined ? ParsePipelined(s, file, module, diags) : ParseByDeclaration(s, file, module, diags)))
      return module;
  }
  diags.Truncate(reported);  // the whole-file parse reports lexer errors again, with the rest
  module = Module{};
  module.file = file;
  Session s(sources, file, diags);
  if (!CheckNesting(s.tokens, file, diags)) return module;
  P::FileContext* tree = s.parser.file();
  if (s.listener.failed()) return module;
  Builder builder(file, s.tokens, module, diags);
  builder.File(tree);
  return module;
}

}  // namespace parse

bool ParseExpression(std::string_view text, Module& module, ExprId& root, std::string& error) {
  SourceManager sources;
  FileId file = sources.Add("<expr>", "<expr>", std::string(text));
  Diagnostics diags(sources);
  root = kNoExpr;
  if (CheckText(sources, file, diags)) {
    Session s(sources, file, diags);
    if (CheckNesting(s.tokens, file, diags)) {
      P::ExprOnlyContext* tree = s.parser.exprOnly();
      if (!s.listener.failed()) {
        Builder builder(file, s.tokens, module, diags);
        root = builder.Expression(tree->expr());
      }
    }
  }
  if (!diags.has_errors()) return true;
  error = diags.all().front().message;
  return false;
}

}  // namespace sparkc
