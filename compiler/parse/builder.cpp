#include "compiler/parse/builder.h"
#include "compiler/parse/parse.h"
#include "compiler/parse/token_stream.h"

#include <fmt/format.h>

#include <charconv>

namespace sparkc::parse {

using P = sparkgen::SparkParser;

namespace {

// Each class has one type_info in the process (the generated parser is one
// static library, ANTLR's node classes live in its runtime library), so
// identity is the test: libstdc++'s `==` compares the mangled names with
// strcmp whenever the types differ, which is most of the time here.
template <class T>
bool Is(const antlr4::tree::ParseTree* node) {
  return &typeid(*node) == &typeid(T);
}

// The labelled alternatives of a rule are leaf classes: an exact type test
// is all that is needed, and far cheaper than dynamic_cast's hierarchy walk.
template <class T, class Context>
T* As(Context* ctx) {
  return Is<T>(ctx) ? static_cast<T*>(ctx) : nullptr;
}

// The children of `ctx` that are rule `rule`, in order. ANTLR's generated
// accessors (ctx->field(), ctx->expr(i)) dynamic_cast every child twice per
// call; in an error-free tree a child is a rule context or a token's node.
template <class T = P::ExprContext>
std::vector<T*> RuleChildren(antlr4::ParserRuleContext* ctx, size_t rule) {
  std::vector<T*> out;
  for (antlr4::tree::ParseTree* child : ctx->children) {
    if (Is<antlr4::tree::TerminalNodeImpl>(child)) continue;
    auto* context = static_cast<antlr4::ParserRuleContext*>(child);
    if (context->getRuleIndex() == rule) out.push_back(static_cast<T*>(context));
  }
  return out;
}

// The text of a rule that is one token (`name`), without
// RuleContext::getText's walk over the subtree.
std::string TokenText(antlr4::ParserRuleContext* ctx) { return ctx->getStart()->getText(); }

// A name the grammar matches in place (IDENT) or through `keyword`.
antlr4::Token* NameToken(antlr4::tree::ParseTree* node) {
  if (Is<antlr4::tree::TerminalNodeImpl>(node))
    return dynamic_cast<antlr4::tree::TerminalNode*>(node)->getSymbol();  // a virtual base
  return static_cast<antlr4::ParserRuleContext*>(node)->getStart();
}

}  // namespace

Span Builder::SpanOf(antlr4::Token* token) const {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) {
    auto end = static_cast<uint32_t>(tokens_.text().size());
    return {file_, end, end};
  }
  return SpanOfToken(file_, token);
}

Span Builder::SpanOf(antlr4::ParserRuleContext* ctx) const {
  Span begin = SpanOf(ctx->getStart());
  antlr4::Token* stop = ctx->getStop();
  if (stop == nullptr || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) return begin;
  return {file_, begin.begin, SpanOf(stop).end};
}

ExprId Builder::Add(Expr expr) {
  module_.exprs.push_back(std::move(expr));
  return static_cast<ExprId>(module_.exprs.size() - 1);
}

std::string Builder::DocBefore(antlr4::Token* start) {
  std::string doc;
  for (std::string_view text : tokens_.DocsBefore(start->getTokenIndex())) {
    std::string_view line = text.substr(3);  // after "///"
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!doc.empty()) doc += '\n';
    doc += line;
  }
  return doc;
}

std::string Builder::Unescape(antlr4::Token* token) {
  std::string text = token->getText();
  return UnescapeRange(text.substr(1, text.size() - 2), SpanOf(token).begin + 1);
}

// `raw` is the text between the quotes (or a part of it) starting at byte
// `base` of the file.
std::string Builder::UnescapeRange(std::string_view raw, uint32_t base) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    char c = raw[++i];
    switch (c) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '"': case '\\': case '$': out += c; break;
      default: {
        Span span{file_, base + static_cast<uint32_t>(i - 1), base + static_cast<uint32_t>(i + 1)};
        diags_.Error(DiagnosticKind::E0009, span, fmt::format("unknown escape sequence `\\{}`", c))
            .Suggest("the escapes are \\n, \\t, \\r, \\\", \\\\ and \\$; write `\\\\` for a backslash");
      }
    }
  }
  return out;
}

// A string with `${expr}` parts becomes an Interpolation of literal strings
// and expressions; the expressions are parsed on their own and their spans
// moved to where they stand in the file.
ExprId Builder::StringLiteral(antlr4::Token* token) {
  Span whole = SpanOf(token);
  std::string text = token->getText();
  if (text.size() > kMaxStringBytes + 2) {
    diags_.Error(DiagnosticKind::E0010, {file_, whole.begin, whole.begin + 1},
                 fmt::format("this string is {} bytes; the limit is {} bytes", text.size() - 2, kMaxStringBytes))
        .Suggest("keep large content in a file the step reads");
    return Add(Expr(ExprKind::String, whole));
  }
  std::string_view raw = std::string_view(text).substr(1, text.size() - 2);
  uint32_t base = whole.begin + 1;
  Expr interpolation(ExprKind::Interpolation, whole);
  size_t literal_from = 0;
  auto add_literal = [&](size_t to) {
    if (to == literal_from) return;
    Expr part(ExprKind::String, {file_, base + uint32_t(literal_from), base + uint32_t(to)});
    part.text = UnescapeRange(raw.substr(literal_from, to - literal_from), base + uint32_t(literal_from));
    interpolation.children.push_back(Add(std::move(part)));
  };
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\\') {
      ++i;
      continue;
    }
    if (raw[i] != '$' || i + 1 >= raw.size() || raw[i + 1] != '{') continue;
    size_t close = raw.find('}', i + 2);
    Span at{file_, base + uint32_t(i), base + uint32_t(i + 2)};
    if (close == std::string_view::npos) {
      diags_.Error(DiagnosticKind::E0009, at, "`${` is not closed by `}` in this string")
          .Suggest("write `\\${` for a literal `${`");
      return Add(Expr(ExprKind::String, whole));
    }
    add_literal(i);
    std::string error;
    ExprId inner = kNoExpr;
    size_t first_new = module_.exprs.size();
    std::string_view source = raw.substr(i + 2, close - i - 2);
    if (!ParseExpression(source, module_, inner, error)) {
      diags_.Error(DiagnosticKind::E0009, {file_, base + uint32_t(i), base + uint32_t(close + 1)},
                   fmt::format("invalid expression in `${{...}}`: {}", error))
          .Note({}, "an interpolated expression cannot contain a string literal");
      return Add(Expr(ExprKind::String, whole));
    }
    uint32_t shift = base + uint32_t(i + 2);
    for (size_t k = first_new; k < module_.exprs.size(); ++k) {
      Expr& e = module_.exprs[k];
      e.span = {file_, e.span.begin + shift, e.span.end + shift};
      for (Field& f : e.fields) f.name_span = {file_, f.name_span.begin + shift, f.name_span.end + shift};
    }
    interpolation.children.push_back(inner);
    literal_from = close + 1;
    i = close;
  }
  if (interpolation.children.empty()) {
    Expr plain(ExprKind::String, whole);
    plain.text = UnescapeRange(raw, base);
    return Add(std::move(plain));
  }
  add_literal(raw.size());
  return Add(std::move(interpolation));
}

void Builder::File(P::FileContext* ctx) {
  for (P::DeclContext* decl : ctx->decl()) Declaration(decl);
}

void Builder::Declaration(P::DeclContext* ctx) {
  Decl decl;
  decl.span = SpanOf(ctx);
  decl.doc = DocBefore(ctx->getStart());
  auto named = [&](DeclKind kind, antlr4::tree::TerminalNode* ident) {
    decl.kind = kind;
    decl.name = ident->getText();
    decl.name_span = SpanOf(ident->getSymbol());
  };
  auto with_block = [&](P::BlockContext* block) {
    if (block == nullptr) return;
    decl.block = BlockOf(block);
    decl.has_block = true;
  };
  if (auto* m = ctx->moduleDecl()) {
    decl.kind = DeclKind::Module;
    decl.name = m->dottedName()->getText();
    decl.name_span = SpanOf(m->dottedName());
  } else if (auto* i = ctx->importDecl()) {
    decl.kind = DeclKind::Import;
    if (i->STRING() != nullptr) {
      decl.import_is_path = true;
      decl.name = Unescape(i->STRING()->getSymbol());
      decl.name_span = SpanOf(i->STRING()->getSymbol());
    } else {
      decl.name = i->dottedName()->getText();
      decl.name_span = SpanOf(i->dottedName());
    }
    if (i->IDENT() != nullptr) decl.alias = i->IDENT()->getText();
  } else if (auto* p = ctx->phaseDecl()) {
    named(DeclKind::Phase, p->IDENT());
    if (p->STRING() != nullptr) decl.title = Unescape(p->STRING()->getSymbol());
  } else if (auto* o = ctx->objectiveDecl()) {
    decl.kind = DeclKind::Objective;
    decl.name = "objective";
    decl.name_span = SpanOf(o->getStart());
    with_block(o->block());
  } else if (auto* s = ctx->stepDecl()) {
    Step(s, decl);
  } else if (auto* g = ctx->gateDecl()) {
    named(DeclKind::Gate, g->IDENT());
    with_block(g->block());
  } else if (auto* t = ctx->templateDecl()) {
    named(DeclKind::Template, t->IDENT());
    if (t->params() != nullptr) decl.params = Params(t->params());
    with_block(t->block());
  } else if (auto* e = ctx->enumDecl()) {
    named(DeclKind::Enum, e->IDENT(0));
    for (size_t k = 1; k < e->IDENT().size(); ++k) {
      decl.members.push_back(e->IDENT(k)->getText());
      decl.member_spans.push_back(SpanOf(e->IDENT(k)->getSymbol()));
    }
  } else if (auto* r = ctx->recordDecl()) {
    named(DeclKind::Record, r->IDENT());
    for (P::MemberContext* m : r->member())
      decl.params.push_back({TokenText(m->name()), SpanOf(m->name()), TypeOf(m->typeRef()),
                             m->expr() != nullptr ? Expression(m->expr()) : kNoExpr});
  } else if (auto* c = ctx->constDecl()) {
    named(DeclKind::Const, c->IDENT());
    if (c->typeRef() != nullptr) decl.type = TypeOf(c->typeRef());
    decl.value = Expression(c->expr());
  } else if (auto* pd = ctx->paramDecl()) {
    decl.kind = DeclKind::Param;
    decl.name = pd->pname->getText();
    decl.name_span = SpanOf(pd->pname);
    decl.type = TypeOf(pd->typeRef());
    if (pd->expr() != nullptr) decl.value = Expression(pd->expr());
  } else if (auto* f = ctx->fnDecl()) {
    named(DeclKind::Fn, f->IDENT());
    if (f->params() != nullptr) decl.params = Params(f->params());
    decl.type = TypeOf(f->typeRef());
    decl.value = Expression(f->expr());
  } else if (auto* en = ctx->entityDecl()) {
    std::string kind = en->kind->getText();
    named(kind == "hardware" ? DeclKind::Hardware
          : kind == "environment" ? DeclKind::Environment : DeclKind::Service,
          en->IDENT());
    with_block(en->block());
  } else if (auto* sec = ctx->secretDecl()) {
    named(DeclKind::Secret, sec->IDENT());
    decl.value = Expression(sec->expr());
  } else if (auto* inv = ctx->invariantDecl()) {
    named(inv->kind->getText() == "require" ? DeclKind::Require : DeclKind::Invariant, inv->IDENT());
    if (inv->STRING() != nullptr) decl.title = Unescape(inv->STRING()->getSymbol());
    decl.value = Expression(inv->expr());
  } else if (auto* w = ctx->windowDecl()) {
    named(DeclKind::Window, w->IDENT());
    with_block(w->block());
  }
  module_.decls.push_back(std::move(decl));
}

void Builder::Step(P::StepDeclContext* s, Decl& decl) {
  decl.kind = DeclKind::Step;
  decl.name = s->IDENT()->getText();
  decl.name_span = SpanOf(s->IDENT()->getSymbol());
  if (auto* fan = s->fanOut()) {
    decl.fan_var = fan->IDENT()->getText();
    decl.fan_var_span = SpanOf(fan->IDENT()->getSymbol());
    decl.fan_source = Expression(fan->expr());
  }
  if (s->block() != nullptr) {
    decl.block = BlockOf(s->block());
    decl.has_block = true;
  }
  if (s->expr() == nullptr) return;
  decl.value = Expression(s->expr());
  // `step x = t(args) { overrides }`: the parser reads the block as the call's
  // options; for an instantiation it is the step's own block.
  Expr& call = module_.exprs[decl.value];
  if (call.kind == ExprKind::Call && call.has_options && !decl.has_block) {
    decl.block = {call.span, std::move(call.fields)};
    decl.has_block = true;
    call.fields.clear();
    call.has_options = false;
  }
}

std::vector<Param> Builder::Params(P::ParamsContext* ctx) {
  std::vector<Param> params;
  for (P::ParamContext* p : ctx->param())
    params.push_back({p->IDENT()->getText(), SpanOf(p->IDENT()->getSymbol()), TypeOf(p->typeRef()),
                      p->expr() != nullptr ? Expression(p->expr()) : kNoExpr});
  return params;
}

TypeRef Builder::TypeOf(P::TypeRefContext* ctx) {
  std::string name = ctx->dottedName() != nullptr ? ctx->dottedName()->getText() : "secret";
  TypeRef type{name, SpanOf(ctx), {}};
  if (ctx->typeRef() != nullptr) type.args.push_back(TypeOf(ctx->typeRef()));
  return type;
}

std::vector<Field> Builder::Fields(P::BlockContext* ctx) {
  std::vector<Field> fields;
  for (P::FieldContext* f : RuleChildren<P::FieldContext>(ctx, P::RuleField)) {
    // `(IDENT | STRING | keyword) '=' expr`
    antlr4::Token* key = NameToken(f->children[0]);
    auto* value = static_cast<P::ExprContext*>(f->children[2]);
    std::string text = key->getText();
    Span span = SpanOf(key);
    if (key->getType() == P::STRING)
      text = UnescapeRange(std::string_view(text).substr(1, text.size() - 2), span.begin + 1);
    fields.push_back({std::move(text), span, Expression(value)});
  }
  return fields;
}

Block Builder::BlockOf(P::BlockContext* ctx) { return {SpanOf(ctx), Fields(ctx)}; }

ExprId Builder::Expression(P::ExprContext* ctx) {
  // Left-deep operator chains nest in the parse tree without nesting in the
  // text, so the prescan cannot see them; bound the recursion here.
  struct DepthGuard {
    int& depth;
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
  } guard(depth_);
  Span span = SpanOf(ctx);
  if (depth_ > 4 * kMaxNesting) {
    diags_.Error(DiagnosticKind::E0005, span,
                 fmt::format("expression is nested more than {} levels deep", 4 * kMaxNesting))
        .Suggest("split it into smaller expressions");
    return Add(Expr(ExprKind::None, span));
  }
  if (ExprId literal = Primary(ctx, span); literal != kNoExpr) return literal;
  Expr e(ExprKind::None, span);
  if (auto* c = As<P::MemberExprContext>(ctx)) {
    e.kind = ExprKind::Member;
    e.children = {Expression(RuleChildren(c, P::RuleExpr)[0])};
    e.text = NameToken(c->children.back())->getText();
  } else if (auto* c = As<P::CallExprContext>(ctx)) {
    e.kind = ExprKind::Call;
    e.children = {Expression(RuleChildren(c, P::RuleExpr)[0])};
    // After the callee: `((IDENT | keyword) '=')? expr`, separated by commas;
    // the only IDENT among the call's own children is an argument's name.
    std::string name;
    for (size_t k = 1; k < c->children.size(); ++k) {
      if (Is<antlr4::tree::TerminalNodeImpl>(c->children[k])) {
        if (antlr4::Token* t = NameToken(c->children[k]); t->getType() == P::IDENT) name = t->getText();
        continue;
      }
      auto* rule = static_cast<antlr4::ParserRuleContext*>(c->children[k]);
      if (rule->getRuleIndex() == P::RuleKeyword) {
        name = TokenText(rule);
      } else if (rule->getRuleIndex() == P::RuleExpr) {
        e.arg_names.push_back(std::move(name));
        name.clear();
        e.children.push_back(Expression(static_cast<P::ExprContext*>(rule)));
      }
    }
    if (std::vector<P::BlockContext*> block = RuleChildren<P::BlockContext>(c, P::RuleBlock); !block.empty()) {
      e.has_options = true;
      e.fields = Fields(block[0]);
    }
  } else if (auto* c = As<P::AggregateExprContext>(ctx)) {
    e.kind = ExprKind::Aggregate;
    e.text = c->IDENT()->getText();
    for (P::ExprContext* part : c->expr()) e.children.push_back(Expression(part));
  } else if (auto* c = As<P::IndexExprContext>(ctx)) {
    e.kind = ExprKind::Index;
    e.children = {Expression(c->expr(0)),
                  c->star != nullptr ? Add(Expr(ExprKind::Star, SpanOf(c->star))) : Expression(c->expr(1))};
  } else if (auto* c = As<P::IfExprContext>(ctx)) {
    e.kind = ExprKind::If;
    for (P::ExprContext* part : c->expr()) e.children.push_back(Expression(part));
  } else if (auto* c = As<P::UnaryExprContext>(ctx)) {
    e.kind = ExprKind::Unary;
    e.text = c->op->getText();
    e.children = {Expression(c->expr())};
  } else if (auto* c = As<P::BinaryExprContext>(ctx)) {
    e.kind = ExprKind::Binary;
    e.text = c->op->getText();
    std::vector<P::ExprContext*> operands = RuleChildren(c, P::RuleExpr);
    e.children = {Expression(operands[0]), Expression(operands[1])};
  }
  return Add(std::move(e));
}

// A literal, a name or a bracketed form; kNoExpr for an operator.
ExprId Builder::Primary(P::ExprContext* ctx, Span span) {
  Expr e(ExprKind::None, span);
  auto parse_int = [&](antlr4::Token* token) {
    std::string text = token->getText();
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size())
      diags_.Error(DiagnosticKind::E0009, SpanOf(token),
                   fmt::format("integer `{}` does not fit in 64 bits", text))
          .Note({}, "the largest integer is 9223372036854775807");
    return value;
  };
  if (auto* c = As<P::QuantityLitContext>(ctx)) {
    e.kind = ExprKind::Quantity;
    e.text = c->children[0]->getText();
    e.unit = c->IDENT()->getText();
  } else if (auto* c = As<P::PercentLitContext>(ctx)) {
    e.kind = ExprKind::Percent;
    e.int_value = parse_int(c->INT()->getSymbol());
  } else if (auto* c = As<P::NumberLitContext>(ctx)) {
    if (c->INT() != nullptr) {
      e.kind = ExprKind::Int;
      e.int_value = parse_int(c->INT()->getSymbol());
    } else {
      e.kind = ExprKind::Float;
      e.text = TokenText(c);
    }
  } else if (auto* c = As<P::StringLitContext>(ctx)) {
    return StringLiteral(c->STRING()->getSymbol());
  } else if (auto* c = As<P::VersionLitContext>(ctx)) {
    e.kind = ExprKind::Version;
    e.text = TokenText(c).substr(1);
  } else if (As<P::BoolLitContext>(ctx) != nullptr) {
    e.kind = ExprKind::Bool;
    e.int_value = TokenText(ctx) == "true";
  } else if (As<P::NoneLitContext>(ctx) != nullptr) {
    e.kind = ExprKind::None;
  } else if (auto* c = As<P::IrreversibleLitContext>(ctx)) {
    e.kind = ExprKind::Irreversible;
    if (c->STRING() != nullptr) e.text = Unescape(c->STRING()->getSymbol());
  } else if (auto* c = As<P::NameRefContext>(ctx)) {
    e.kind = ExprKind::Name;
    e.text = TokenText(c);
  } else if (auto* c = As<P::ListCompContext>(ctx)) {
    e.kind = ExprKind::ListComp;
    e.text = c->IDENT()->getText();
    for (P::ExprContext* part : c->expr()) e.children.push_back(Expression(part));
  } else if (auto* c = As<P::ListLitContext>(ctx)) {
    e.kind = ExprKind::List;
    for (P::ExprContext* item : RuleChildren(c, P::RuleExpr)) e.children.push_back(Expression(item));
  } else if (auto* c = As<P::MapLitContext>(ctx)) {
    e.kind = ExprKind::Map;
    e.fields = Fields(c->block());
  } else if (auto* c = As<P::ParenExprContext>(ctx)) {
    return Expression(c->expr());
  } else {
    return kNoExpr;
  }
  return Add(std::move(e));
}

}  // namespace sparkc::parse
