// Unit tests of the extension's pure parts (compiled to out/ by `npm run build`): the
// server command line, finding the binary, the error messages and bracket folding.

import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const server = require("../out/server.js");
const { foldingRanges } = require("../out/folding.js");

test("the server is `ward lsp` followed by the extra arguments", () => {
  assert.deepEqual(server.serverCommand({ path: "ward", extraArgs: [] }, undefined), {
    command: "ward",
    args: ["lsp"],
  });
  assert.deepEqual(server.serverCommand({ path: "ward", extraArgs: ["--log", "debug"] }, "/w").args, [
    "lsp",
    "--log",
    "debug",
  ]);
});

test("an empty path falls back to `ward`; relative paths and ${workspaceFolder} resolve in the workspace", () => {
  assert.equal(server.serverCommand({ path: "  ", extraArgs: [] }, undefined).command, "ward");
  assert.equal(server.serverCommand({ path: "target/debug/ward", extraArgs: [] }, "/w").command, "/w/target/debug/ward");
  assert.equal(
    server.serverCommand({ path: "${workspaceFolder}/bin/ward", extraArgs: [] }, "/w").command,
    "/w/bin/ward",
  );
  // A bare name is looked up on PATH, not in the workspace.
  assert.equal(server.serverCommand({ path: "ward", extraArgs: [] }, "/w").command, "ward");
});

test("the binary is found on PATH or by its path, and only if it is executable", () => {
  const dir = mkdtempSync(join(tmpdir(), "ward-ext-"));
  const bin = join(dir, "ward");
  writeFileSync(bin, "#!/bin/sh\n");
  chmodSync(bin, 0o755);
  writeFileSync(join(dir, "notexec"), "");
  chmodSync(join(dir, "notexec"), 0o644);
  const env = { PATH: ["/nonexistent", dir].join(":") };
  assert.equal(server.findExecutable("ward", env, "linux"), bin);
  assert.equal(server.findExecutable(bin, { PATH: "" }, "linux"), bin);
  assert.equal(server.findExecutable("ward-missing", env, "linux"), undefined);
  assert.equal(server.findExecutable("notexec", env, "linux"), undefined);
  assert.equal(server.findExecutable(dir, env, "linux"), undefined, "a directory is not a binary");
});

test("on Windows PATHEXT is tried", () => {
  const dir = mkdtempSync(join(tmpdir(), "ward-ext-"));
  writeFileSync(join(dir, "ward.EXE"), "");
  assert.equal(server.findExecutable("ward", { PATH: dir, PATHEXT: ".COM;.EXE" }, "win32"), join(dir, "ward.EXE"));
});

test("a missing binary is reported with both fixes", () => {
  const m = server.missingServerMessage("ward");
  assert.match(m, /^Ward: could not start the language server: `ward` was not found\./);
  assert.match(m, /cargo install --path compiler\/cli/);
  assert.match(m, /ward\.server\.path/);
  const f = server.startFailureMessage("/opt/ward", new Error("spawn EACCES"));
  assert.match(f, /\(`\/opt\/ward lsp`\): spawn EACCES/);
});

test("folding follows brackets and skips strings and comments", () => {
  const src = [
    "/// A channel.", //  0
    "/// Two lines.", //  1
    "channel C = 1 {", //  2
    "    targets [", //  3
    "        a,", //  4
    "        b,", //  5
    "    ]", //  6
    '    instance i = 1 {', //  7
    '        image glob r"C:\\{x\\}"  // } not a bracket', //  8
    '        name == "}{"', //  9
    '        tags ["a"]', // 10
    "    }", // 11
    "}", // 12
  ].join("\n");
  assert.deepEqual(foldingRanges(src), [
    { start: 0, end: 1, kind: "comment" },
    { start: 2, end: 11, kind: undefined },
    { start: 3, end: 5, kind: undefined },
    { start: 7, end: 10, kind: undefined },
  ]);
});

test("folding: raw strings with hashes, multi-line strings and regions", () => {
  const src = [
    "// region pipes", // 0
    "enum E {", // 1
    '    a = 0, // r#"{"#', // 2
    "}", // 3
    'test "x {', // 4: the string spans lines, its brace does not count
    '  still in the string" {', // 5
    '    event { s: r##"}"# still raw"## }', // 6
    "    expect []", // 7
    "}", // 8
    "// endregion", // 9
  ].join("\n");
  assert.deepEqual(foldingRanges(src), [
    { start: 0, end: 9, kind: "region" },
    { start: 1, end: 2, kind: undefined },
    { start: 5, end: 7, kind: undefined },
  ]);
});

test("folding never throws on garbage", () => {
  for (const src of ["}", "]]]{{", '"unterminated {', 'r#"', "\u0000{\n\n}", ""]) {
    assert.ok(Array.isArray(foldingRanges(src)));
  }
});
