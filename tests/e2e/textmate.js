// Tokenises every spec with the TextMate grammar of the VS Code extension
// (vscode-textmate and vscode-oniguruma, the libraries VS Code itself uses)
// and holds it to the compiler's lexer: each token `sparkc lsp` classifies as
// a keyword, string, number, version, unit or comment (tokens.json, from its
// semantic tokens) must get the matching TextMate scope.
// node textmate.js GRAMMAR TOKENS_JSON
const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const [grammarPath, tokensPath] = process.argv.slice(2);
const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));

async function main() {
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === "source.spark" ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath) : null,
  });
  const grammar = await registry.loadGrammar("source.spark");
  const files = JSON.parse(fs.readFileSync(tokensPath, "utf8"));
  const counts = {};
  const failures = [];
  for (const [file, tokens] of Object.entries(files)) {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    let stack = vsctm.INITIAL;
    const scopes = lines.map((line) => {
      const r = grammar.tokenizeLine(line, stack);
      stack = r.ruleStack;
      return r.tokens;
    });
    // The scopes at one UTF-16 index of a line.
    const at = (l, c) => (scopes[l].find((t) => t.startIndex <= c && c < t.endIndex) || { scopes: [] }).scopes;
    const expect = (kind, l, c, text, pattern) => {
      counts[kind] = (counts[kind] || 0) + 1;
      const s = at(l, c);
      if (!s.some((x) => pattern.test(x)))
        failures.push(`${file}:${l + 1}:${c + 1}: ${kind} \`${text}\` has scopes ${s.join(" ")}`);
    };
    // The other way round: what the grammar calls a unit, a version or a
    // keyword, the compiler does too (inside a string's `${...}` the
    // compiler's lexer sees one string token: only the grammar looks in).
    const compiler = new Map(tokens.map(([l, c, len, type]) => [`${l}:${c}`, type]));
    scopes.forEach((line, l) => {
      for (const t of line) {
        const claims = [[/^keyword\.other\.unit\.spark$/, "type"], [/^constant\.numeric\.version\.spark$/, "number"],
                        [/^keyword\.other\.declaration\.spark$/, "keyword"]];
        for (const [pattern, type] of claims) {
          if (!t.scopes.some((s) => pattern.test(s)) || t.scopes.includes("meta.interpolation.spark")) continue;
          counts[`grammar ${type}`] = (counts[`grammar ${type}`] || 0) + 1;
          if (compiler.get(`${l}:${t.startIndex}`) !== type)
            failures.push(`${file}:${l + 1}:${t.startIndex + 1}: the grammar's ${pattern.source} \`${lines[l].slice(t.startIndex, t.endIndex)}\` is ${compiler.get(`${l}:${t.startIndex}`) || "nothing"} to the compiler`);
        }
      }
    });
    for (const [l, c, len, type, modifiers] of tokens) {
      const line = lines[l];
      const text = line.substr(c, len);
      switch (type) {
        case "keyword":
          if (/^(true|false|none)$/.test(text)) expect("constant", l, c, text, /^constant\.language\.spark$/);
          else expect("keyword", l, c, text, /^keyword\./);
          break;
        case "string":
          expect("string", l, c, text, /^string\.quoted\.double\.spark$/);
          expect("string", l, c + len - 1, text, /^string\.quoted\.double\.spark$/);
          for (let k = text.indexOf("${"); k >= 0; k = text.indexOf("${", k + 2)) {
            expect("interpolation", l, c + k, text, /^punctuation\.section\.interpolation\.begin\.spark$/);
            if (text[k + 2] !== "}") expect("interpolation", l, c + k + 2, text, /^meta\.interpolation\.spark$/);
          }
          break;
        case "number":
          if (/^v\d/.test(text)) expect("version", l, c, text, /^constant\.numeric\.version\.spark$/);
          else expect("number", l, c, text, /^constant\.numeric/);
          break;
        case "type":
          expect("unit", l, c, text, /^keyword\.other\.unit\.spark$/);
          expect("quantity", l, c, text, /^constant\.numeric\.quantity\.spark$/);
          break;
        case "comment":
          if (modifiers & 4) expect("doc comment", l, c, text, /^comment\.line\.documentation\.spark$/);
          else expect("comment", l, c, text, /^comment\./);
          break;
        case "property":
          if (/^\s*=(?!=)/.test(line.substr(c + len))) expect("field", l, c, text, /^variable\.other\.property\.spark$/);
          break;
      }
    }
  }
  for (const [kind, n] of Object.entries(counts).sort()) console.log(`${kind}: ${n} tokens`);
  for (const kind of ["keyword", "string", "interpolation", "number", "version", "unit", "quantity", "comment", "doc comment", "field"])
    if (!counts[kind]) failures.push(`no ${kind} token was checked`);
  for (const f of failures.slice(0, 50)) console.log("FAIL: " + f);
  if (failures.length > 50) console.log(`... and ${failures.length - 50} more`);
  console.log(failures.length ? `${failures.length} tokens without their scope` : "every token has its scope");
  process.exit(failures.length ? 1 : 0);
}
main().catch((e) => {
  console.error(e);
  process.exit(2);
});
