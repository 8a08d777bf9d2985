// Activates the compiled extension against stand-ins for the `vscode` API and for
// vscode-languageclient (VS Code itself cannot run here), to check the wiring: which
// process the client starts, the message and buttons when the binary is missing, and
// that `ward.restartServer` and a settings change restart the client.

import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, test } from "node:test";

const require = createRequire(import.meta.url);

/** What the stand-ins saw. */
let log;
let settings;
let errorChoice;

function resetWorld() {
  log = { errors: [], executed: [], clients: [], lines: [], requests: [] };
  settings = { path: "ward", extraArgs: [] };
  errorChoice = undefined;
}

const commands = new Map();
const providers = new Map();
let configListener;

const vscode = {
  window: {
    createOutputChannel: () => ({
      appendLine: (l) => log.lines.push(l),
      show: () => log.executed.push("output.show"),
      dispose() {},
    }),
    showErrorMessage: async (message, ...buttons) => {
      log.errors.push({ message, buttons });
      return errorChoice;
    },
  },
  commands: {
    registerCommand: (id, fn) => {
      commands.set(id, fn);
      return { dispose() {} };
    },
    executeCommand: async (...args) => log.executed.push(args),
  },
  workspace: {
    workspaceFolders: undefined,
    getConfiguration: () => ({ get: (key, dflt) => settings[key] ?? dflt }),
    onDidChangeConfiguration: (fn) => {
      configListener = fn;
      return { dispose() {} };
    },
    createFileSystemWatcher: (glob) => ({ glob }),
    registerTextDocumentContentProvider: (scheme, provider) => {
      providers.set(scheme, provider);
      return { dispose() {} };
    },
  },
  languages: { registerFoldingRangeProvider: () => ({ dispose() {} }) },
  FoldingRange: class {},
  FoldingRangeKind: { Comment: 1, Region: 3 },
};

class LanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, state: "new" });
    log.clients.push(this);
  }
  async start() {
    this.state = "running";
  }
  async stop() {
    this.state = "stopped";
  }
  async sendRequest(method, params) {
    log.requests.push({ method, params });
    return "enum Integrity { untrusted = 0 }\n";
  }
}
const languageclient = { LanguageClient, RevealOutputChannelOn: { Never: 4 }, TransportKind: { stdio: 0 } };

const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === "vscode") return vscode;
  if (request === "vscode-languageclient/node") return languageclient;
  return load.call(this, request, ...rest);
};
const extension = require("../out/extension.js");
const context = () => ({ subscriptions: [] });
const tick = () => new Promise((r) => setImmediate(r));

beforeEach(async () => {
  await extension.deactivate();
  resetWorld();
});

test("a missing binary: an actionable error with buttons, and no client", async () => {
  settings.path = "ward-does-not-exist-anywhere";
  errorChoice = "Open Settings";
  await extension.activate(context());
  await tick();
  assert.equal(log.clients.length, 0);
  assert.equal(log.errors.length, 1);
  assert.equal(
    log.errors[0].message,
    "Ward: could not start the language server: `ward-does-not-exist-anywhere` was not found. " +
      "Install it with `cargo install --path compiler/cli` (from a checkout of the Ward repository) " +
      "or set ward.server.path to the `ward` binary.",
  );
  assert.deepEqual(log.errors[0].buttons, ["Open Settings", "Show Output", "Retry"]);
  assert.deepEqual(log.executed, [["workbench.action.openSettings", "ward.server"]]);
  assert.ok(log.lines.some((l) => l.includes("was not found")), "the message is also in the output channel");
});

test("an installed binary: `ward lsp` plus extraArgs over stdio for the ward language; restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ward-act-"));
  const bin = join(dir, "ward");
  writeFileSync(bin, "#!/bin/sh\n");
  chmodSync(bin, 0o755);
  settings.path = bin;
  settings.extraArgs = ["--verbose"];
  await extension.activate(context());
  assert.equal(log.errors.length, 0);
  assert.equal(log.clients.length, 1);
  const [client] = log.clients;
  assert.equal(client.id, "ward");
  assert.deepEqual(client.serverOptions, { command: bin, args: ["lsp", "--verbose"], transport: 0, options: undefined });
  assert.deepEqual(
    client.clientOptions.documentSelector.map((s) => s.language),
    ["ward", "ward", "ward"],
  );
  assert.deepEqual(
    client.clientOptions.documentSelector.map((s) => s.scheme),
    ["file", "untitled", "ward-stdlib"],
  );
  assert.equal(client.state, "running");

  await commands.get("ward.restartServer")();
  assert.equal(client.state, "stopped");
  assert.equal(log.clients.length, 2);
  assert.equal(log.clients[1].state, "running");

  configListener({ affectsConfiguration: (s) => s === "ward.server" });
  await tick();
  assert.equal(log.clients.length, 3, "changing ward.server settings restarts the server");
  configListener({ affectsConfiguration: () => false });
  await tick();
  assert.equal(log.clients.length, 3, "other settings do not");
});

test("stdlib files open from the server, so go to definition can land in them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ward-std-"));
  const bin = join(dir, "ward");
  writeFileSync(bin, "#!/bin/sh\n");
  chmodSync(bin, 0o755);
  settings.path = bin;
  await extension.activate(context());
  const provider = providers.get("ward-stdlib");
  assert.ok(provider, "a content provider is registered for ward-stdlib:");
  const text = await provider.provideTextDocumentContent({ toString: () => "ward-stdlib:///windows.ward" });
  assert.equal(text, "enum Integrity { untrusted = 0 }\n");
  assert.deepEqual(log.requests, [{ method: "ward/stdlib", params: { uri: "ward-stdlib:///windows.ward" } }]);
});
