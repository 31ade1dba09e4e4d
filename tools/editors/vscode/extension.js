// Starts `sparkc lsp` for .spark files. The server does the work; this file
// only tells VS Code how to start it.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("sparkc").get("path") || "sparkc";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient("sparkc", "sparkc", { run: server, debug: server }, {
    documentSelector: [{ scheme: "file", language: "spark" }],
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
