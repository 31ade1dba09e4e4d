#include "compiler/parse/builder.h"
#include "compiler/parse/parse.h"

#include <fmt/format.h>

#include <charconv>

namespace sparkc::parse {

using P = sparkgen::SparkParser;

OffsetMap::OffsetMap(std::string_view text) : size_(static_cast<uint32_t>(text.size())) {
  bool ascii = true;
  for (unsigned char c : text) ascii &= c < 0x80;
  if (ascii) return;
  for (uint32_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) bytes_.push_back(i);
}

uint32_t OffsetMap::Byte(size_t code_point) const {
  if (bytes_.empty()) return std::min<uint32_t>(code_point, size_);
  return code_point < bytes_.size() ? bytes_[code_point] : size_;
}

Span Builder::SpanOf(antlr4::Token* token) const {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) {
    uint32_t end = offsets_.Byte(SIZE_MAX);
    return {file_, end, end};
  }
  return {file_, offsets_.Byte(token->getStartIndex()), offsets_.Byte(token->getStopIndex() + 1)};
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
  for (antlr4::Token* t : tokens_.getHiddenTokensToLeft(start->getTokenIndex(), 2)) {
    std::string text = t->getText();
    std::string_view line = std::string_view(text).substr(3);  // after "///"
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!doc.empty()) doc += '\n';
    doc += line;
  }
  return doc;
}

std::string Builder::Unescape(antlr4::Token* token) {
  std::string text = token->getText();
  std::string_view raw = std::string_view(text).substr(1, text.size() - 2);
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
        Span span = SpanOf(token);
        // The escape's own position: raw starts one byte after the opening quote.
        span.begin += static_cast<uint32_t>(i);
        span.end = span.begin + 1;
        diags_.Error(DiagnosticKind::E0009, span, fmt::format("unknown escape sequence `\\{}`", c))
            .Suggest("the escapes are \\n, \\t, \\r, \\\", \\\\ and \\$; write `\\\\` for a backslash");
      }
    }
  }
  return out;
}

void Builder::File(P::FileContext* ctx) {
  for (P::DeclContext* decl : ctx->decl()) Declaration(decl);
}

void Builder::Declaration(P::DeclContext* ctx) {
  Decl decl;
  decl.span = SpanOf(ctx);
  decl.doc = DocBefore(ctx->getStart());
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
    decl.kind = DeclKind::Phase;
    decl.name = p->IDENT()->getText();
    decl.name_span = SpanOf(p->IDENT()->getSymbol());
    if (p->STRING() != nullptr) decl.title = Unescape(p->STRING()->getSymbol());
  } else if (auto* o = ctx->objectiveDecl()) {
    decl.kind = DeclKind::Objective;
    decl.name = "objective";
    decl.name_span = SpanOf(o->getStart());
    decl.block = BlockOf(o->block());
  } else if (auto* s = ctx->stepDecl()) {
    decl.kind = DeclKind::Step;
    decl.name = s->IDENT()->getText();
    decl.name_span = SpanOf(s->IDENT()->getSymbol());
    decl.block = BlockOf(s->block());
  }
  module_.decls.push_back(std::move(decl));
}

std::vector<Field> Builder::Fields(P::BlockContext* ctx) {
  std::vector<Field> fields;
  for (P::FieldContext* f : ctx->field())
    fields.push_back({f->name()->getText(), SpanOf(f->name()), Expression(f->expr())});
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
  Expr e(ExprKind::None, span);
  if (auto* c = dynamic_cast<P::PrimaryExprContext*>(ctx)) return Primary(c->primary(), span);
  if (auto* c = dynamic_cast<P::MemberExprContext*>(ctx)) {
    e.kind = ExprKind::Member;
    e.children = {Expression(c->expr())};
    e.text = c->name()->getText();
  } else if (auto* c = dynamic_cast<P::CallExprContext*>(ctx)) {
    e.kind = ExprKind::Call;
    e.children = {Expression(c->expr())};
    for (P::ArgContext* arg : c->arg()) {
      e.arg_names.push_back(arg->name() != nullptr ? arg->name()->getText() : "");
      e.children.push_back(Expression(arg->expr()));
    }
    if (c->block() != nullptr) {
      e.has_options = true;
      e.fields = Fields(c->block());
    }
  } else if (auto* c = dynamic_cast<P::IndexExprContext*>(ctx)) {
    e.kind = ExprKind::Index;
    e.children = {Expression(c->expr(0)), Expression(c->expr(1))};
  } else if (auto* c = dynamic_cast<P::UnaryExprContext*>(ctx)) {
    e.kind = ExprKind::Unary;
    e.text = c->op->getText();
    e.children = {Expression(c->expr())};
  } else if (auto* c = dynamic_cast<P::BinaryExprContext*>(ctx)) {
    e.kind = ExprKind::Binary;
    e.text = c->op->getText();
    e.children = {Expression(c->expr(0)), Expression(c->expr(1))};
  }
  return Add(std::move(e));
}

ExprId Builder::Primary(P::PrimaryContext* ctx, Span span) {
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
  if (auto* c = dynamic_cast<P::QuantityLitContext*>(ctx)) {
    e.kind = ExprKind::Quantity;
    e.text = c->number()->getText();
    e.unit = c->IDENT()->getText();
  } else if (auto* c = dynamic_cast<P::PercentLitContext*>(ctx)) {
    e.kind = ExprKind::Percent;
    e.int_value = parse_int(c->INT()->getSymbol());
  } else if (auto* c = dynamic_cast<P::NumberLitContext*>(ctx)) {
    if (c->number()->INT() != nullptr) {
      e.kind = ExprKind::Int;
      e.int_value = parse_int(c->number()->INT()->getSymbol());
    } else {
      e.kind = ExprKind::Float;
      e.text = c->getText();
    }
  } else if (auto* c = dynamic_cast<P::StringLitContext*>(ctx)) {
    e.kind = ExprKind::String;
    e.text = Unescape(c->STRING()->getSymbol());
  } else if (auto* c = dynamic_cast<P::VersionLitContext*>(ctx)) {
    e.kind = ExprKind::Version;
    e.text = c->getText().substr(1);
  } else if (dynamic_cast<P::BoolLitContext*>(ctx) != nullptr) {
    e.kind = ExprKind::Bool;
    e.int_value = ctx->getText() == "true";
  } else if (dynamic_cast<P::NoneLitContext*>(ctx) != nullptr) {
    e.kind = ExprKind::None;
  } else if (auto* c = dynamic_cast<P::IrreversibleLitContext*>(ctx)) {
    e.kind = ExprKind::Irreversible;
    e.text = Unescape(c->STRING()->getSymbol());
  } else if (auto* c = dynamic_cast<P::NameRefContext*>(ctx)) {
    e.kind = ExprKind::Name;
    e.text = c->getText();
  } else if (auto* c = dynamic_cast<P::ListLitContext*>(ctx)) {
    e.kind = ExprKind::List;
    for (P::ExprContext* item : c->expr()) e.children.push_back(Expression(item));
  } else if (auto* c = dynamic_cast<P::MapLitContext*>(ctx)) {
    e.kind = ExprKind::Map;
    e.fields = Fields(c->block());
  } else if (auto* c = dynamic_cast<P::ParenExprContext*>(ctx)) {
    return Expression(c->expr());
  }
  return Add(std::move(e));
}

}  // namespace sparkc::parse
