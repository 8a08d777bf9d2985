// The packaged extension: dist/extension.js (esbuild's bundle, what package.json's
// `main` names) must load with nothing but the `vscode` API and Node's own modules, since
// node_modules is not packed; and the .vsix must hold exactly the extension's files, no
// logs, sources or node_modules (`vsce ls` lists what `vsce package` would pack).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync, rmSync } from "node:fs";
import Module, { builtinModules, createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { root } from "./grammar.mjs";

const require = createRequire(import.meta.url);

test("the bundle loads with only `vscode` and Node's modules", () => {
  const load = Module._load;
  const asked = [];
  Module._load = function (request, ...rest) {
    // vscode-languageclient extends the API's classes as it loads: any name is a class.
    if (request === "vscode") return new Proxy({}, { get: () => class {} });
    // Paths are files (the bundle itself); a bare name must be one of Node's modules.
    const bare = request.replace(/^node:/, "");
    const isPath = request.startsWith(".") || request.startsWith("/");
    if (!isPath && !builtinModules.includes(bare.split("/")[0])) asked.push(request);
    return load.call(this, request, ...rest);
  };
  try {
    const extension = require(join(root, require(join(root, "package.json")).main));
    assert.equal(typeof extension.activate, "function");
    assert.equal(typeof extension.deactivate, "function");
  } finally {
    Module._load = load;
  }
  assert.deepEqual(asked, [], "the bundle requires modules that are not packed");
});

test("the .vsix holds the extension's files and no stray log", () => {
  const stray = join(root, "stray-test.log");
  writeFileSync(stray, "a log left behind by a run\n");
  let listed;
  try {
    const vsce = join(root, "node_modules", ".bin", "vsce");
    listed = execFileSync(vsce, ["ls", "--no-dependencies"], { cwd: root, encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .sort();
  } finally {
    rmSync(stray);
  }
  assert.deepEqual(listed, [
    "LICENSE",
    "README.md",
    "dist/extension.js",
    "language-configuration.json",
    "package.json",
    "snippets/ward.json",
    "syntaxes/ward.tmLanguage.json",
  ]);
});
