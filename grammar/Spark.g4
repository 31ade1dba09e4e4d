// The .spark grammar. Only compiler/parse/ sees the generated code; everything
// after the front end works on sparkc's own AST (compiler/ast/ast.h).
//
// Fields inside blocks need no separator: a field always starts with
// `IDENT '='`, which no expression can continue with, so `;` and `,` are
// optional and layout is free.
grammar Spark;

file : decl* EOF ;

decl
  : moduleDecl
  | importDecl
  | phaseDecl
  | objectiveDecl
  | stepDecl
  ;

moduleDecl    : 'module' dottedName ;
importDecl    : 'import' (dottedName | STRING) ('as' IDENT)? ;
phaseDecl     : 'phase' IDENT STRING? ;
objectiveDecl : 'objective' block ;
stepDecl      : 'step' IDENT block ;

block : '{' (field (';' | ',')?)* '}' ;
field : name '=' expr ;

// Field, option and member names may be keywords: `phase = ...` in a step.
name : IDENT | 'module' | 'import' | 'as' | 'phase' | 'objective' | 'step' ;

dottedName : IDENT ('.' IDENT)* ;

// A standalone expression, used by the runtime to read the checks of a plan.
exprOnly : expr EOF ;

expr
  : primary                                                   # primaryExpr
  | expr '.' name                                             # memberExpr
  | expr '(' (arg (',' arg)* ','?)? ')' block?                # callExpr
  | expr '[' expr ']'                                         # indexExpr
  | op=('-' | 'not') expr                                     # unaryExpr
  | expr op=('*' | '/') expr                                  # binaryExpr
  | expr op=('+' | '-') expr                                  # binaryExpr
  | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr      # binaryExpr
  | expr op='and' expr                                        # binaryExpr
  | expr op='or' expr                                         # binaryExpr
  ;

arg : (name '=')? expr ;

primary
  : number IDENT                                      # quantityLit
  | INT '%'                                           # percentLit
  | number                                            # numberLit
  | STRING                                            # stringLit
  | VERSION                                           # versionLit
  | ('true' | 'false')                                # boolLit
  | 'none'                                            # noneLit
  | 'irreversible' STRING                             # irreversibleLit
  | IDENT                                             # nameRef
  | '[' (expr (',' expr)* ','?)? ']'                  # listLit
  | block                                             # mapLit
  | '(' expr ')'                                      # parenExpr
  ;

number : INT | FLOAT ;

VERSION : 'v' [0-9]+ ('.' [0-9]+)+ ;
IDENT   : [A-Za-z_] [A-Za-z0-9_]* ;
FLOAT   : [0-9]+ '.' [0-9]+ ;
INT     : [0-9]+ ;
STRING  : '"' (ESC | ~["\\\r\n])* '"' ;
fragment ESC : '\\' . ;

// `///` comments are kept on their own channel so the AST builder can attach
// them to the declaration that follows.
DOC_COMMENT   : '///' ~[\r\n]* -> channel(2) ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;
