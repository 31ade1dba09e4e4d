" Vim syntax for Spark migration specs (.spark), the language of sparkc.
" The same classes as tools/editors/vscode/syntaxes/spark.tmLanguage.json.
if exists("b:current_syntax")
  finish
endif

syn keyword sparkDeclaration module import as phase objective step gate template enum record const fn
syn keyword sparkDeclaration hardware environment service secret invariant require window param
syn keyword sparkOperatorWord and or not in contains
syn keyword sparkConditional if then else for
syn keyword sparkConstant true false none
syn keyword sparkIrreversible irreversible

syn match sparkField "\<\h\w*\ze\s*=[^=]"
syn match sparkDeclName "\%(\<\%(step\|gate\|template\|fn\|record\|enum\|phase\|const\|param\|secret\|hardware\|environment\|service\|window\|invariant\|require\)\s\+\)\@<=\h\w*"
syn match sparkFunction "\<\h\w*\ze\s*("

syn match sparkNumber "\<\d\+\%(\.\d\+\)\=\>"
syn match sparkPercent "\<\d\+%"
syn match sparkQuantity "\<\d\+\%(\.\d\+\)\=\s*\%(\%(and\|or\|not\|in\|contains\|if\|then\|else\|for\)\>\)\@!\h\w*\>\%(\s*\%(=[^=]\|:\)\)\@!" contains=sparkNumber,sparkUnit
syn match sparkUnit "\h\w*" contained
syn match sparkVersion "\<v\d\+\%(\.\d\+\)\+\>"

syn region sparkString start=+"+ skip=+\\.+ end=+"\|$+ contains=sparkEscape,sparkInterpolation
syn match sparkEscape "\\." contained
syn region sparkInterpolation matchgroup=sparkInterpolationDelimiter start="\${" end="}" contained contains=sparkOperatorWord,sparkConditional,sparkConstant,sparkNumber,sparkQuantity,sparkVersion,sparkFunction

syn match sparkDocComment "///.*$" contains=@Spell
syn match sparkComment "//\%(/\)\@!.*$" contains=@Spell
syn region sparkBlockComment start="/\*" end="\*/" contains=@Spell

hi def link sparkDeclaration Keyword
hi def link sparkOperatorWord Operator
hi def link sparkConditional Conditional
hi def link sparkConstant Constant
hi def link sparkIrreversible Exception
hi def link sparkField Identifier
hi def link sparkDeclName Function
hi def link sparkFunction Function
hi def link sparkNumber Number
hi def link sparkPercent Number
hi def link sparkUnit Type
hi def link sparkVersion Number
hi def link sparkString String
hi def link sparkEscape SpecialChar
hi def link sparkInterpolationDelimiter Delimiter
hi def link sparkDocComment SpecialComment
hi def link sparkComment Comment
hi def link sparkBlockComment Comment

let b:current_syntax = "spark"
