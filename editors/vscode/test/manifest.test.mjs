// Checks that the extension manifest, language configuration and snippets agree with each
// other and with the language: every contributed file exists and parses, the patterns of
// the language configuration compile, and the snippets offer what the language accepts.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { root } from "./grammar.mjs";

const json = (file) => JSON.parse(readFileSync(join(root, file), "utf8"));
const pkg = json("package.json");
const config = json("language-configuration.json");
const snippets = json("snippets/ward.json");

test("every file the manifest contributes exists", () => {
  const c = pkg.contributes;
  const files = [
    ...c.languages.map((l) => l.configuration),
    ...c.grammars.map((g) => g.path),
    ...c.snippets.map((s) => s.path),
    pkg.main.replace(/^\.\//, ""),
  ];
  for (const f of files) assert.ok(existsSync(join(root, f)), `${f} is missing`);
});

test("the language is `ward` for *.ward, and the extension activates on it", () => {
  const [lang] = pkg.contributes.languages;
  assert.equal(lang.id, "ward");
  assert.deepEqual(lang.extensions, [".ward"]);
  assert.ok(pkg.activationEvents.includes("onLanguage:ward"));
  assert.equal(json(pkg.contributes.grammars[0].path).scopeName, pkg.contributes.grammars[0].scopeName);
});

test("settings: ward.server.path (default `ward`), ward.server.extraArgs, and the restart command", () => {
  const p = pkg.contributes.configuration.properties;
  assert.equal(p["ward.server.path"].default, "ward");
  assert.deepEqual(p["ward.server.extraArgs"].default, []);
  assert.equal(p["ward.server.extraArgs"].items.type, "string");
  assert.ok(pkg.contributes.commands.some((c) => c.command === "ward.restartServer"));
  const src = readFileSync(join(root, "src", "extension.ts"), "utf8");
  for (const c of pkg.contributes.commands) assert.ok(src.includes(`"${c.command}"`), `${c.command} is not registered`);
});

test("the language configuration: comments, brackets, pairs, indentation, word pattern", () => {
  assert.equal(config.comments.lineComment, "//");
  assert.deepEqual(config.brackets, [["{", "}"], ["[", "]"]]);
  const opens = config.autoClosingPairs.map((p) => p.open);
  for (const o of ["{", "[", '"']) assert.ok(opens.includes(o), `no auto-closing ${o}`);
  const increase = new RegExp(config.indentationRules.increaseIndentPattern);
  const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
  for (const line of ["channel C = 1 {", 'test "a {b}" {', "    targets [", "    event {  // comment"]) {
    assert.ok(increase.test(line), `no indent after ${line}`);
  }
  for (const line of ["    pid == 1", "// {", "    event { a: 1 }", "}"]) {
    assert.ok(!increase.test(line), `indent after ${line}`);
  }
  for (const line of ["}", "    ]", "  },"]) assert.ok(decrease.test(line), `no outdent on ${line}`);
  const word = new RegExp(`^(?:${config.wordPattern})$`);
  for (const w of ["pipe_name", "_x1", "0xFF_FF", "-42"]) assert.ok(word.test(w), `${w} is not a word`);
  assert.ok(!word.test("a.b"));
  new RegExp(config.folding.markers.start);
  new RegExp(config.folding.markers.end);
});

/** The snippet whose prefix is `prefix`, its body as one string. */
function snippet(prefix) {
  const s = Object.values(snippets).find((x) => x.prefix === prefix);
  assert.ok(s, `no snippet with prefix ${prefix}`);
  return s.body.join("\n");
}

test("snippets: channel, instance, test, template and sensor", () => {
  const channel = snippet("channel");
  for (const part of ["channel ", "version ", "template ", "targets [", "instance ", "severity "]) {
    assert.ok(channel.includes(part), `channel snippet lacks ${part}`);
  }
  const instance = snippet("instance");
  assert.ok(instance.includes("${7|informational,low,medium,high,critical|}"));
  assert.ok(instance.includes("tags ["));
  const t = snippet("test");
  for (const part of ['test "', "channel ", "event {", "expect ["]) assert.ok(t.includes(part), `test lacks ${part}`);
  assert.match(snippet("template"), /version \$\{4:1\}\n\t\/\/\/ .*\n\t1 \$\{6:field\}: \$\{7\|string,path,bool,u8,u16,u32,u64,i32,i64,ip,sha256\|\}/);
  assert.match(snippet("sensor"), /platform \$\{3\|windows,linux,macos\|\}[\s\S]*supplies \$\{5:Template\} 1\.\.=/);
});

test("every severity choice list is exactly the five severities", () => {
  for (const [name, s] of Object.entries(snippets)) {
    const body = s.body.join("\n");
    for (const m of body.matchAll(/severity \$\{\d+\|([^|]*)\|\}/g)) {
      assert.equal(m[1], "informational,low,medium,high,critical", name);
    }
  }
});
