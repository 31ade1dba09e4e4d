#!/usr/bin/env bash
# `sparkc lsp` through its stdio (tests/e2e/lsp_protocol.py).
source "$(dirname "$0")/lib.sh" "$@"
python3 "$ROOT/tests/e2e/lsp_protocol.py" "$SPARKC" "$ROOT" "$WORK" || fail "lsp_protocol.py"
exit $((FAILURES > 0))
