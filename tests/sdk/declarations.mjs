// What a package declares each function returns, read from its TypeScript declarations.
//
// A generated SDK package declares every function as an interface with one call signature:
//
//   declare function getMenu$1(httpClient: HttpClient): GetMenuSignature;
//   interface GetMenuSignature { (menuId: string): Promise<NonNullablePaths<Menu, `name` | `seoData.tags.${number}.custom`, 4>>; }
//
// declaredReturns() gives, per function, the response type's name (`Menu`) and the paths the
// package promises are present and not null (`name`, `seoData.tags.${number}.custom`). The SDK's
// own strict mode (`SDKTypeMode`) turns those paths into required, non-null properties; resolving
// that with the TypeScript compiler is too deep for it (TS2589) on the bigger entities, so the
// paths are checked here, in JavaScript, by missingPaths(), with the same meaning: where the
// parent of the last segment exists, the last segment must be present and not null.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function balanced(text, start) {
  // `text[start]` is '<'; returns the index of its matching '>'.
  let depth = 0;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (char === '<') depth += 1;
    else if (char === '>' && text[index - 1] !== '=') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  throw new Error(`unbalanced generic at ${start}`);
}

function splitTopLevel(text) {
  const parts = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '<' || char === '(' || char === '{' || char === '[') depth += 1;
    if (char === '>' || char === ')' || char === '}' || char === ']') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts;
}

/** `Promise<...>` of a signature text → {type, paths} (type null for void). */
function parseReturn(promiseText) {
  const inner = promiseText.slice('Promise<'.length, -1).trim();
  if (inner === 'void') return { type: null, paths: [] };
  if (inner.startsWith('NonNullablePaths<')) {
    const [type, union] = splitTopLevel(inner.slice('NonNullablePaths<'.length, -1));
    const paths = [...union.matchAll(/`([^`]*)`/g)].map((match) => match[1]);
    return { type, paths };
  }
  return { type: inner, paths: [] };
}

function returnAfter(text, from) {
  const at = text.indexOf('Promise<', from);
  if (at < 0) return null;
  const end = balanced(text, at + 'Promise'.length);
  return parseReturn(text.slice(at, end + 1));
}

/** {functionName: {type, paths}} for one package directory. */
export function declaredReturns(packageDir) {
  const dir = join(packageDir, 'build', 'es');
  const text = readdirSync(dir)
    .filter((name) => name.endsWith('.d.mts'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
  const out = {};
  for (const match of text.matchAll(/declare function (\w+)\$1\(httpClient: HttpClient\): (\w+);/g)) {
    const [, fn, signature] = match;
    const body = text.indexOf(`interface ${signature} {`);
    if (body < 0) continue;
    const declared = returnAfter(text, text.indexOf('): Promise<', body) + 2);
    if (declared) out[fn] = declared;
  }
  // Typed queries: queryMenus(query) resolves to what typedQueryMenus declares.
  for (const match of text.matchAll(/declare function typedQuery(\w+)\(query: \w+\): /g)) {
    const declared = returnAfter(text, match.index + match[0].length);
    if (declared) out[`query${match[1]}`] = declared;
  }
  return out;
}

/** The declared paths that `value` leaves out or sets to null. */
export function missingPaths(value, paths) {
  const missing = [];
  const walk = (node, segments, trail) => {
    if (node === null || node === undefined) return;
    const [head, ...rest] = segments;
    if (head === '${number}') {
      if (Array.isArray(node)) node.forEach((entry, index) => walk(entry, rest, `${trail}[${index}]`));
      return;
    }
    const here = trail ? `${trail}.${head}` : head;
    if (rest.length === 0) {
      if (typeof node === 'object' && (node[head] === undefined || node[head] === null)) missing.push(here);
      return;
    }
    walk(node[head], rest, here);
  };
  for (const path of paths) walk(value, path.split('.'), '');
  return missing;
}
