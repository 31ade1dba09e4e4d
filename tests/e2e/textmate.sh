#!/usr/bin/env bash
# The TextMate grammar (tools/editors/vscode) against the compiler's lexer on
# every spec in specs/ and stdlib/ (tests/e2e/textmate.js), and the Vim
# syntax file loaded by Vim's own engine on the same files.
source "$(dirname "$0")/lib.sh" "$@"
NPM_DIR=${SPARKC_NPM_DIR:-$HOME/.cache/sparkc/npm}
[ -d "$NPM_DIR/node_modules/vscode-textmate" ] || { fail "vscode-textmate is not installed in $NPM_DIR: run tools/scripts/install-deps.sh"; exit 1; }

# The compiler's classes of every token: `sparkc lsp`'s semantic tokens.
python3 - "$SPARKC" "$ROOT" > tokens.json <<'PY' || fail "semantic tokens"
import json, pathlib, sys
sys.path.insert(0, sys.argv[2] + "/tests/support")
from lsp_client import Client
root = pathlib.Path(sys.argv[2])
c = Client(sys.argv[1], cwd=str(root))
legend = c.initialize()["result"]["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"]
out = {}
for f in sorted(root.glob("specs/*/*.spark")) + sorted(root.glob("stdlib/*.spark")):
    uri = f.resolve().as_uri()
    c.open(uri, f.read_text())
    data = c.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})["result"]["data"]
    tokens, line, char = [], 0, 0
    for i in range(0, len(data), 5):
        dl, dc, n, t, m = data[i:i + 5]
        line += dl
        char = char + dc if dl == 0 else dc
        tokens.append([line, char, n, legend[t], m])
    out[str(f)] = tokens
    c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
c.close()
json.dump(out, sys.stdout)
PY
NODE_PATH="$NPM_DIR/node_modules" node "$ROOT/tests/e2e/textmate.js" \
  "$ROOT/tools/editors/vscode/syntaxes/spark.tmLanguage.json" tokens.json || fail "the TextMate grammar"

# Every JSON file of the extension parses; the grammar is the one the
# manifest names.
for f in package.json language-configuration.json syntaxes/spark.tmLanguage.json; do
  python3 -m json.tool "$ROOT/tools/editors/vscode/$f" >/dev/null || fail "$f is not JSON"
done

# Vim: the syntax file loads without an error and names the groups it
# links on a spec's keyword, string and comment.
if command -v nvim >/dev/null; then
  cat > probe.spark <<'SPEC'
/// doc
step a { do = exec("x ${1 + 2}"); undo = none; timeout = 5 min }
SPEC
  HOME="$WORK" nvim --headless --clean -u NONE -i NONE -n \
    --cmd "set rtp^=$ROOT/tools/editors/vim" --cmd "filetype on" --cmd "syntax on" \
    -c 'edit probe.spark' \
    -c 'call writefile([&filetype, synIDattr(synID(1,1,1),"name"), synIDattr(synID(2,1,1),"name"), synIDattr(synID(2,20,1),"name"), synIDattr(synID(2,26,1),"name"), synIDattr(synID(2,58,1),"name"), synIDattr(synID(2,60,1),"name")], "vim.out")' \
    -c 'qall!' >/dev/null 2>vim.err
  printf 'spark\nsparkDocComment\nsparkDeclaration\nsparkString\nsparkInterpolation\nsparkNumber\nsparkUnit\n' > vim.want
  diff vim.want vim.out >&2 || fail "the Vim syntax groups"
  [ ! -s vim.err ] || { fail "Vim reported errors"; cat vim.err >&2; }
fi
exit $((FAILURES > 0))
