// The .spark grammar. Only compiler/parse/ sees the generated code; everything
// after the front end works on sparkc's own AST (compiler/ast/ast.h).
//
// Fields inside blocks need no separator: a field always starts with
// `name '='`, which no expression can continue with, so `;` and `,` are
// optional and layout is free.
grammar Spark;

file : decl* EOF ;

decl
  : moduleDecl
  | importDecl
  | phaseDecl
  | objectiveDecl
  | stepDecl
  | gateDecl
  | templateDecl
  | enumDecl
  | recordDecl
  | constDecl
  | paramDecl
  | fnDecl
  | entityDecl
  | secretDecl
  | invariantDecl
  | windowDecl
  ;

moduleDecl    : 'module' dottedName ;
importDecl    : 'import' (dottedName | STRING) ('as' IDENT)? ;
phaseDecl     : 'phase' IDENT STRING? ;
objectiveDecl : 'objective' block ;
// `step x { ... }`, `step x = template(args) { overrides }`, and fan-out
// `step x[item in list] ...` with either body.
stepDecl      : 'step' IDENT fanOut? ('=' expr)? block? ;
fanOut        : '[' IDENT 'in' expr ']' ;
gateDecl      : 'gate' IDENT block ;
templateDecl  : 'template' IDENT '(' params? ')' block ;
enumDecl      : 'enum' IDENT '{' (IDENT (',' | ';')?)* '}' ;
recordDecl    : 'record' IDENT '{' (member (';' | ',')?)* '}' ;
member        : name ':' typeRef ('=' expr)? ;
constDecl     : 'const' IDENT (':' typeRef)? '=' expr ;
// A value given when the plan is made (`--var NAME=VALUE`); without a
// default it must be given.
// `window` may name one (`--var window=30min`), as `hardware` may a value.
paramDecl     : 'param' pname=(IDENT | 'window') ':' typeRef ('=' expr)? ;
fnDecl        : 'fn' IDENT '(' params? ')' '->' typeRef '=' expr ;
entityDecl    : kind=('hardware' | 'environment' | 'service') IDENT block ;
secretDecl    : 'secret' IDENT '=' expr ;
// `require` is a precondition: the same form, evaluated before a run starts.
invariantDecl : kind=('invariant' | 'require') IDENT STRING? '{' expr '}' ;
windowDecl    : 'window' IDENT block ;

params : param (',' param)* ','? ;
param  : IDENT ':' typeRef ('=' expr)? ;
// `int`, `Tier`, `std.prelude.Service`, `list[Volume]`, `map[string]`.
typeRef : (dottedName | 'secret') ('[' typeRef ']')? ;

block : '{' (field (';' | ',')?)* '}' ;
// A quoted key is for names that are not identifiers: `{ "Content-Type" = ... }`.
// Where names are most common (fields, members, call options) IDENT is
// matched in place rather than through `name`: a rule invocation is a context
// object, its enter and its exit, and only keywords need one.
field : (IDENT | STRING | keyword) '=' expr ;

// Field, option and member names may be keywords: `phase = ...` in a step.
name : IDENT | keyword ;
keyword
  : 'module' | 'import' | 'as' | 'phase' | 'objective' | 'step' | 'gate'
  | 'template' | 'enum' | 'record' | 'const' | 'fn' | 'hardware' | 'environment'
  | 'service' | 'secret' | 'invariant' | 'require' | 'window' | 'param'
  ;

dottedName : IDENT ('.' IDENT)* ;

// A standalone expression, used by the runtime to read the checks of a plan.
exprOnly : expr EOF ;

// Literals and names are alternatives of `expr` itself, not of a rule of
// their own: every operand then costs the parser one rule invocation (a
// context object, its enter and exit) instead of three.
expr
  : (INT | FLOAT) IDENT                                           # quantityLit
  | INT '%'                                                       # percentLit
  | (INT | FLOAT)                                                 # numberLit
  | STRING                                                        # stringLit
  | VERSION                                                       # versionLit
  | ('true' | 'false')                                            # boolLit
  | 'none'                                                        # noneLit
  // The reason is required; without it the checker says so (E0208).
  | 'irreversible' STRING?                                        # irreversibleLit
  | (IDENT | 'hardware' | 'window')                               # nameRef
  | '[' expr 'for' IDENT 'in' expr ('if' expr)? ']'               # listComp
  | '[' (expr (',' expr)* ','?)? ']'                              # listLit
  | block                                                         # mapLit
  | '(' expr ')'                                                  # parenExpr
  | expr '.' (IDENT | keyword)                                    # memberExpr
  | expr '(' expr 'for' IDENT 'in' expr ('if' expr)? ')'          # aggregateExpr
  // An argument is `(name '=')? expr`, written out (and the name's IDENT
  // matched in place) rather than a rule of its own for the same reason.
  | expr '(' (((IDENT | keyword) '=')? expr (',' ((IDENT | keyword) '=')? expr)* ','?)? ')' block?  # callExpr
  | expr '[' (expr | star='*') ']'                                # indexExpr
  | op=('-' | 'not') expr                                         # unaryExpr
  | expr op=('*' | '/') expr                                      # binaryExpr
  | expr op=('+' | '-') expr                                      # binaryExpr
  | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=' | 'in' | 'contains') expr  # binaryExpr
  | expr op='and' expr                                            # binaryExpr
  | expr op='or' expr                                             # binaryExpr
  | 'if' expr 'then' expr 'else' expr                             # ifExpr
  ;


VERSION : 'v' [0-9]+ ('.' [0-9]+)+ ;
IDENT   : [A-Za-z_] [A-Za-z0-9_]* ;
FLOAT   : [0-9]+ '.' [0-9]+ ;
INT     : [0-9]+ ;
// `${...}` inside a string is split out by the AST builder.
STRING  : '"' (ESC | ~["\\\r\n])* '"' ;
fragment ESC : '\\' . ;

// `///` comments are kept on their own channel so the AST builder can attach
// them to the declaration that follows.
DOC_COMMENT   : '///' ~[\r\n]* -> channel(2) ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;
