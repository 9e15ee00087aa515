#!/usr/bin/env node
// Lists functions (declarations, methods, arrow functions, function expressions) longer than N lines
// in src/ and webview/. Usage: node scripts/long-functions.mjs [maxLines=80]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

export function longFunctions(roots, max) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ts$/.test(e) && !/\.d\.ts$/.test(e)) check(p);
    }
  };
  const check = (file) => {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const visit = (node) => {
      if (ts.isFunctionLike(node) && node.body) {
        const a = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const b = sf.getLineAndCharacterOfPosition(node.body.getEnd()).line;
        const lines = b - a + 1;
        if (lines > max) {
          const name = node.name?.getText(sf) ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText(sf) : '(anonymous)');
          out.push({ file, line: a + 1, name, lines });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  };
  for (const r of roots) walk(r);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const max = Number(process.argv[2] ?? 80);
  for (const f of longFunctions(['src', 'webview'], max)) console.log(`${f.file}:${f.line}  ${f.name}  ${f.lines} lines`);
}
