//! Folding ranges computed in the extension from brackets, comment blocks and
//! `// region` markers, so folding follows `{ }` and `[ ]` even when the server is not
//! running. Strings, raw strings and comments are skipped, so a brace inside
//! `r"C:\{x}"` or a comment does not count. Pure (no `vscode` import) for the unit tests.

export type FoldKind = "comment" | "region" | undefined;

export interface Fold {
  /** First line of the range (0-based), the one that stays visible. */
  start: number;
  /** Last line hidden by the fold. */
  end: number;
  kind: FoldKind;
}

const REGION_START = /^\s*\/\/\s*#?region\b/;
const REGION_END = /^\s*\/\/\s*#?endregion\b/;

export function foldingRanges(text: string): Fold[] {
  const folds: Fold[] = [];
  const lines = text.split(/\r?\n/);
  const brackets: number[] = [];
  const regions: number[] = [];
  let commentStart = -1;
  // Inside a multi-line string: the closing delimiter (`"` or `"#...`), else undefined.
  let closing: string | undefined;
  let raw = false;

  const endCommentBlock = (line: number) => {
    if (commentStart >= 0 && line - 1 > commentStart) {
      folds.push({ start: commentStart, end: line - 1, kind: "comment" });
    }
    commentStart = -1;
  };

  lines.forEach((line, n) => {
    let i = 0;
    if (closing === undefined) {
      if (REGION_START.test(line)) regions.push(n);
      else if (REGION_END.test(line)) {
        const start = regions.pop();
        if (start !== undefined && n > start) folds.push({ start, end: n, kind: "region" });
      }
      const isComment = /^\s*\/\//.test(line) && !REGION_START.test(line) && !REGION_END.test(line);
      if (isComment) {
        if (commentStart < 0) commentStart = n;
        return;
      }
      endCommentBlock(n);
    }
    while (i < line.length) {
      if (closing !== undefined) {
        // Inside a string: look for its end, honouring escapes in ordinary strings only.
        const c = line[i];
        if (!raw && c === "\\") {
          i += 2;
          continue;
        }
        if (line.startsWith(closing, i)) {
          i += closing.length;
          closing = undefined;
          continue;
        }
        i += 1;
        continue;
      }
      const c = line[i];
      if (c === "/" && line[i + 1] === "/") break;
      const rawOpen = /^r(#*)"/.exec(line.slice(i));
      if (rawOpen && (i === 0 || !/[A-Za-z0-9_]/.test(line[i - 1]))) {
        closing = '"' + rawOpen[1];
        raw = true;
        i += rawOpen[0].length;
        continue;
      }
      if (c === '"') {
        closing = '"';
        raw = false;
        i += 1;
        continue;
      }
      if (c === "{" || c === "[") brackets.push(n);
      else if (c === "}" || c === "]") {
        const start = brackets.pop();
        // The closing line stays visible, as in VS Code's own bracket folding.
        if (start !== undefined && n - 1 > start) folds.push({ start, end: n - 1, kind: undefined });
      }
      i += 1;
    }
  });
  endCommentBlock(lines.length);
  return folds.sort((a, b) => a.start - b.start || b.end - a.end);
}
