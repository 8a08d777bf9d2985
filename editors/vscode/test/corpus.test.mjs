// Runs the grammar over every .ward file of the repository. In every file, each
// non-blank piece of text must get a real scope (not just `source.ward` and `meta.*`).
// In the valid content (examples/, stdlib-templates/) nothing may be marked invalid, no
// name may fall through to the context-free fallback `variable.other.ward`, and every
// block must be closed at the end of the file, so the context rules cover real Ward code.
// The diagnostic snapshots hold deliberately broken code: there only tokenizing and
// scoping are required. The ```ward blocks of docs/language.md are checked the same way:
// strictly, except those marked `fails=CODE`.
//
// The repository is found from WARD_REPO, else as the nearest folder above the extension
// holding stdlib-templates/ and Cargo.toml. Outside a checkout (the extension copied or
// unpacked elsewhere) only the fixtures it ships (test/fixtures/) are checked, and the
// repository's cases are skipped with the reason.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import textmate from "vscode-textmate";
import { loadGrammar, root } from "./grammar.mjs";

/** The Ward repository this extension sits in, or `null`. */
function findRepo() {
  if (process.env.WARD_REPO) return process.env.WARD_REPO;
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "stdlib-templates")) && existsSync(join(dir, "Cargo.toml"))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

const repo = findRepo();
const noRepo = repo ? false : "not inside a Ward checkout (set WARD_REPO to check its files)";

function wardFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...wardFiles(path));
    else if (name.endsWith(".ward")) out.push(path);
  }
  return out;
}

const fixtures = wardFiles(join(root, "test", "fixtures"));
const valid = repo ? ["examples", "stdlib-templates"].flatMap((d) => wardFiles(join(repo, d))) : [];
const broken = repo ? wardFiles(join(repo, "snapshots", "diagnostics")) : [];

function isReal(scope) {
  return scope !== "source.ward" && !scope.startsWith("meta.");
}

/** The ```ward blocks of a Markdown file: `{ name, text, fails }`. */
function markdownBlocks(path) {
  const blocks = [];
  const re = /^```ward([^\n]*)\n([\s\S]*?)^```/gm;
  const md = readFileSync(path, "utf8");
  for (const m of md.matchAll(re)) {
    const line = md.slice(0, m.index).split("\n").length;
    blocks.push({ name: `${relative(repo, path)}:${line}`, text: m[2], fails: m[1].includes("fails=") });
  }
  return blocks;
}

/** Tokenizes `path` and returns the problems found, one string each. */
function check(grammar, path, strict, text = readFileSync(path, "utf8")) {
  const problems = [];
  let state = textmate.INITIAL;
  text
    .split(/\r?\n/)
    .forEach((line, i) => {
      const r = grammar.tokenizeLine(line, state);
      for (const t of r.tokens) {
        const text = line.slice(t.startIndex, t.endIndex);
        if (text.trim() === "") continue;
        const where = `${relative(repo ?? root, path)}:${i + 1}:${t.startIndex + 1} ${JSON.stringify(text)}`;
        if (!t.scopes.some(isReal)) problems.push(`${where} has no scope`);
        if (strict) {
          const bad = t.scopes.find((s) => s.startsWith("invalid.") || s === "variable.other.ward");
          if (bad) problems.push(`${where} is ${bad}`);
        }
      }
      state = r.ruleStack;
    });
  if (strict && state.depth !== 1) {
    problems.push(`${relative(repo, path)}: a block is still open at the end of the file`);
  }
  return problems;
}

const grammar = await loadGrammar();

test("the repository has Ward files to check", { skip: noRepo }, () => {
  assert.ok(valid.length >= 10, `only ${valid.length} valid files found`);
  assert.ok(broken.length >= 10, `only ${broken.length} snapshot files found`);
});

test("the extension ships its own fixtures", () => {
  assert.ok(fixtures.length >= 1, "no .ward file in test/fixtures");
});

for (const path of fixtures) {
  test(`fixture: ${relative(root, path)}`, () => {
    assert.deepEqual(check(grammar, path, true), []);
  });
}

for (const path of valid) {
  test(`valid: ${relative(repo, path)}`, () => {
    assert.deepEqual(check(grammar, path, true), []);
  });
}

const docBlocks = repo ? markdownBlocks(join(repo, "docs", "language.md")) : [];

test("docs/language.md has Ward examples", { skip: noRepo }, () => {
  assert.ok(docBlocks.length >= 5, `only ${docBlocks.length} blocks found`);
});

for (const block of docBlocks) {
  test(`docs: ${block.name}${block.fails ? " (fails)" : ""}`, () => {
    assert.deepEqual(check(grammar, join(repo, block.name.split(":")[0]), !block.fails, block.text), []);
  });
}

for (const path of broken) {
  test(`snapshot: ${relative(repo, path)}`, () => {
    assert.deepEqual(check(grammar, path, false), []);
  });
}
