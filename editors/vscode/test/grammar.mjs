// Loads the Ward TextMate grammar with the same engine VS Code uses (vscode-textmate on
// the Oniguruma WebAssembly build), for the corpus test and for `npm run tokens`.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import oniguruma from "vscode-oniguruma";
import textmate from "vscode-textmate";

const require = createRequire(import.meta.url);
export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

let registry;

/** The compiled `source.ward` grammar. */
export async function loadGrammar() {
  if (!registry) {
    const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName) => {
        if (scopeName !== "source.ward") return null;
        const path = join(root, "syntaxes", "ward.tmLanguage.json");
        return textmate.parseRawGrammar(readFileSync(path, "utf8"), path);
      },
    });
  }
  return registry.loadGrammar("source.ward");
}

/** Tokens of every line of `text`: `{ line, text, scopes }` for each token. */
export function tokenize(grammar, text) {
  const out = [];
  let state = textmate.INITIAL;
  text.split(/\r?\n/).forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      out.push({ line: i + 1, text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    }
    state = r.ruleStack;
  });
  return out;
}

// `node test/grammar.mjs FILE`: print each token with its innermost scopes, for debugging.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const grammar = await loadGrammar();
  for (const t of tokenize(grammar, readFileSync(process.argv[2], "utf8"))) {
    if (t.text.trim() === "") continue;
    console.log(`${t.line}\t${JSON.stringify(t.text)}\t${t.scopes.slice(1).join(" ")}`);
  }
}
