#!/usr/bin/env bash
# Installs the Debian 12 packages sparkc builds and tests with. Idempotent.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config python3 sqlite3
  antlr4 libantlr4-runtime-dev llvm-14-dev libyaml-cpp-dev libboost-graph-dev
  libcurl4-openssl-dev libssl-dev openssl libfmt-dev catch2 libsqlite3-dev libpq-dev
  libcli11-dev nlohmann-json3-dev libmimalloc-dev libyaml-dev libxml2-dev
  # The fuzz targets (libFuzzer) are built with clang.
  clang libclang-rt-14-dev
  # The Spec-to-Proof local demo and its tests: real servers on 127.0.0.1.
  postgresql-15 postgresql-client-15 redis-server redis-tools nats-server
  # The YAML plan is checked against PyYAML (YAML 1.1) and js-yaml (YAML 1.2).
  python3-yaml
  # The JSON events and documents are checked against docs/events.schema.json.
  python3-jsonschema
  # `sparkc report` is rendered in headless Chromium and its screenshot read.
  chromium python3-pil fonts-dejavu-core
  # The generated completions are tried in the shells they are for.
  zsh fish
  # `sparkc lsp` is tested under Neovim's built-in LSP client.
  neovim
  # `apply --engine slurm` is tested on a Slurm cluster of three nodes on 127.0.0.1.
  slurmctld slurmd slurm-client munge
)
# Node.js for js-yaml: Debian's, unless one (with its npm) is installed already.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "all build dependencies are installed"
else
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# npm packages the tests use, pinned, outside the tree: js-yaml
# (tests/e2e/yaml_readers.sh), VS Code's TextMate tokenizer with its
# Oniguruma build (tests/e2e/textmate.sh), and the validators generated from
# Argo Workflows' types (tests/e2e/argo_export.sh).
npm_dir=${SPARKC_NPM_DIR:-$HOME/.cache/sparkc/npm}
npm_packages=(js-yaml@4.1.0 vscode-textmate@9.4.0 vscode-oniguruma@2.0.1 @kubernetes-models/argo-workflows@2.0.0)
npm_missing=()
for p in "${npm_packages[@]}"; do
  [ -f "$npm_dir/node_modules/${p%@*}/package.json" ] || npm_missing+=("$p")
done
if [ ${#npm_missing[@]} -gt 0 ]; then
  mkdir -p "$npm_dir"
  npm install --prefix "$npm_dir" --no-audit --no-fund --silent "${npm_missing[@]}"
fi
