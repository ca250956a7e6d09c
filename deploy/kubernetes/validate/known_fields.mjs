// Unknown-field check for Kubernetes objects: the schemas kubernetes-models
// validates with allow any extra field, so a misspelt one ("readinesProbe")
// would pass them and be dropped (or refused, with strict field validation)
// only by the API server. The field names come from the package's TypeScript
// declarations (.d.ts), which list every field of every type.
//
//   import { unknownFields } from "./known_fields.mjs";
//   for (const p of unknownFields(object)) console.error(p);  // "/spec/x: ..."
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

const require = createRequire(import.meta.url);
const modelsRoot = dirname(require.resolve("kubernetes-models/package.json"));
const nodeModules = dirname(modelsRoot);

// The body between the brace at `open` and its match.
function braced(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error("unbalanced braces");
}

// Splits `text` at `sep` outside braces and angle brackets.
function splitTop(text, sep) {
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "<" || c === "(" || c === "[") depth++;
    else if (c === "}" || c === ">" || c === ")" || c === "]") depth--;
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const files = new Map();  // path -> {imports, exports, interfaces, text}
function declarations(path) {
  if (files.has(path)) return files.get(path);
  const raw = readFileSync(path, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const imports = new Map();
  for (const m of raw.matchAll(/import \{([^}]*)\} from "([^"]+)";/g)) {
    for (const name of m[1].split(",").map((s) => s.trim())) {
      imports.set(name, m[2]);
    }
  }
  const exports = new Map();
  for (const m of raw.matchAll(/export \{([^}]*)\};/g)) {
    for (const pair of m[1].split(",")) {
      const [local, exported] = pair.split(" as ").map((s) => s.trim());
      exports.set(exported ?? local, local);
    }
  }
  const decl = { path, raw, imports, exports, types: new Map() };
  files.set(path, decl);
  return decl;
}

function resolveImport(from, spec) {
  const base = spec.startsWith(".")
    ? resolve(dirname(from), spec)
    : join(nodeModules, spec);
  return `${base}.d.ts`;
}

// The type node of `text` in the file `decl`: {fields: Map} for an object,
// {map: node}, {array: node}, or null (a scalar or anything not checked).
function parseType(decl, text) {
  text = text.trim();
  const array = /^Array<([\s\S]*)>$/.exec(text);
  if (array) return { array: parseType(decl, array[1]) };
  if (text.startsWith("{")) return parseObject(decl, braced(text, 0));
  if (/^I[A-Za-z0-9]+$/.test(text)) return () => reference(decl, text);
  return null;
}

function parseObject(decl, body) {
  const fields = new Map();
  let indexed = false;
  let map = null;
  for (const member of splitTop(body, ";")) {
    const index = /^\[key: string\]:\s*([\s\S]*)$/.exec(member);
    if (index) {
      indexed = true;
      map = parseType(decl, index[1]);
      continue;
    }
    const field = /^"?([A-Za-z0-9_$-]+)"?\??:\s*([\s\S]*)$/.exec(member);
    if (field) fields.set(field[1], parseType(decl, field[2]));
  }
  // A map of scalars checks nothing below it.
  if (indexed && fields.size === 0) return map === null ? null : { map };
  return { fields };
}

// The type a name stands for in `decl`: a local interface, or an import.
function reference(decl, name) {
  if (decl.types.has(name)) return decl.types.get(name);
  let node = null;
  const local = decl.exports.get(name) ?? name;
  const at = decl.raw.search(new RegExp(`export interface ${local}\\b`));
  if (at >= 0) {
    decl.types.set(name, null);  // a recursive type refers to itself
    node = parseObject(decl, braced(decl.raw, decl.raw.indexOf("{", at)));
  } else if (decl.imports.has(name)) {
    const path = resolveImport(decl.path, decl.imports.get(name));
    if (existsSync(path)) node = reference(declarations(path), name);
  }
  decl.types.set(name, node);
  return node;
}

function walk(value, node, path, problems) {
  if (typeof node === "function") node = node();
  if (node === null || value === null || typeof value !== "object") return;
  if (node.array) {
    if (Array.isArray(value)) {
      value.forEach((v, i) => walk(v, node.array, `${path}/${i}`, problems));
    }
    return;
  }
  if (Array.isArray(value)) return;
  if (node.map) {
    for (const [k, v] of Object.entries(value)) {
      walk(v, node.map, `${path}/${k}`, problems);
    }
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!node.fields.has(k)) {
      problems.push(`${path}/${k}: unknown field (a misspelling?)`);
    } else {
      walk(v, node.fields.get(k), `${path}/${k}`, problems);
    }
  }
}

// The unknown fields of `object` (a manifest of a kind kubernetes-models
// knows), each as "<path>: unknown field".
export function unknownFields(object) {
  const path = join(modelsRoot, object.apiVersion, `${object.kind}.d.ts`);
  if (!existsSync(path)) return [];
  const root = reference(declarations(path), `I${object.kind}`);
  const problems = [];
  walk(object, root, "", problems);
  return problems;
}
