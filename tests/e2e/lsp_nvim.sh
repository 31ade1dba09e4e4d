#!/usr/bin/env bash
# `sparkc lsp` under a real client: Neovim's built-in LSP client, headless,
# driven by lsp_nvim.lua. Skipped (77) only where Neovim is not installed.
source "$(dirname "$0")/lib.sh" "$@"
command -v nvim >/dev/null || { echo "SKIP: nvim is not installed"; exit 77; }

# The spec with an error and its import (also what the recorded session of
# tests/fixtures/lsp was taken on).
cp "$ROOT/tests/fixtures/lsp/session/lib.spark" "$ROOT/tests/fixtures/lsp/session/main.spark" .
# The message `sparkc check` prints is the one the editor must show.
"$SPARKC" check --format json main.spark >check.json
python3 -c 'import json,sys; print(json.load(open("check.json"))["diagnostics"][0]["message"])' >expected_message.txt
# What formatting must give: the fixed spec through `sparkc fmt`.
sed 's/ruond/round/' main.spark > formatted.spark
"$SPARKC" fmt formatted.spark || fail "sparkc fmt"
"$SPARKC" check formatted.spark >/dev/null || fail "the fixed spec does not check"

SPARKC_LSP_RECORD=${SPARKC_LSP_RECORD:-} SPARKC="$SPARKC" WORK="$WORK" HOME="$WORK" XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data" \
  XDG_STATE_HOME="$WORK/state" timeout 120 nvim --headless --clean -u NONE -i NONE -n \
  -c "luafile $ROOT/tests/e2e/lsp_nvim.lua" >nvim.out 2>&1
rc=$?
cat nvim.out
[ "$rc" = 0 ] || fail "nvim exited $rc"
grep -q "all checks held" nvim.out || fail "the Neovim checks did not all hold"
exit $((FAILURES > 0))
