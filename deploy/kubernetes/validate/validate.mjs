// Validates Kubernetes manifests against the Kubernetes schemas of the
// kubernetes-models package, offline. Called by validate.sh (which installs
// the pinned packages first); see the usage there.
//
//   node validate.mjs deploy/kubernetes/*.yaml
//   node validate.mjs --extract-configs DIR deploy/kubernetes/10-config.yaml
//
// Every YAML document of every file must parse, name an apiVersion and kind
// that kubernetes-models knows (a typo in either would otherwise be found only
// by the API server), pass that kind's schema, and hold no field the kind does
// not have (known_fields.mjs). One line per problem,
// naming the file, the document's kind/name and the field; exit status 1
// when there is any problem, 0 when every document is valid.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { unknownFields } from "./known_fields.mjs";

// The models of one apiVersion ("apps/v1" -> kubernetes-models/apps/v1,
// "v1" -> kubernetes-models/v1), or null when the package has none.
const groups = new Map();
async function modelsOf(apiVersion) {
  if (groups.has(apiVersion)) return groups.get(apiVersion);
  let models = null;
  if (/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) {
    try {
      models = await import(`kubernetes-models/${apiVersion}`);
    } catch {
      models = null;
    }
  }
  groups.set(apiVersion, models);
  return models;
}

function describe(error) {
  const where = error.instancePath || "/";
  const extra =
    error.params && error.params.allowedValues
      ? ` (${error.params.allowedValues.join(", ")})`
      : "";
  return `${where}: ${error.message}${extra}`;
}

async function validateDocument(file, index, object) {
  const problems = [];
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    return [`${file} document ${index}: not a mapping`];
  }
  const { apiVersion, kind } = object;
  const name = object.metadata && object.metadata.name;
  const label = `${file} document ${index} (${kind ?? "?"}/${name ?? "?"})`;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return [`${label}: apiVersion and kind are required`];
  }
  const models = await modelsOf(apiVersion);
  const Model = models && models[kind];
  if (!Model || Model.apiVersion !== apiVersion || Model.kind !== kind) {
    return [`${label}: unknown kind ${kind} in apiVersion ${apiVersion}`];
  }
  if (typeof name !== "string" || name === "") {
    problems.push(`${label}: metadata.name is required`);
  }
  try {
    new Model(object).validate();
  } catch (error) {
    const errors = Array.isArray(error.errors) ? error.errors : null;
    if (errors) {
      for (const e of errors) problems.push(`${label}: ${describe(e)}`);
    } else {
      problems.push(`${label}: ${error.message}`);
    }
  }
  for (const p of unknownFields(object)) problems.push(`${label}: ${p}`);
  return problems;
}

// Writes every *.textproto entry of the ConfigMaps of `files` into `dir`,
// for validate.sh to parse each as its message.
function extractConfigs(dir, files) {
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const object = doc.toJS();
      if (!object || object.kind !== "ConfigMap" || !object.data) continue;
      for (const [key, text] of Object.entries(object.data)) {
        if (key.endsWith(".textproto")) writeFileSync(join(dir, key), text);
      }
    }
  }
  return 0;
}

async function main(args) {
  if (args[0] === "--extract-configs" && args.length >= 3) {
    return extractConfigs(args[1], args.slice(2));
  }
  const files = args;
  if (files.length === 0) {
    console.error("usage: node validate.mjs MANIFEST.yaml...");
    return 2;
  }
  let problems = 0;
  let documents = 0;
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      console.error(`${file}: cannot be read (${error.code})`);
      problems++;
      continue;
    }
    const parsed = parseAllDocuments(text);
    let index = 0;
    for (const doc of parsed) {
      index++;
      if (doc.errors.length > 0) {
        for (const e of doc.errors) {
          console.error(`${file} document ${index}: YAML: ${e.message}`);
          problems++;
        }
        continue;
      }
      const object = doc.toJS();
      if (object === null) continue;  // an empty document (a trailing ---)
      documents++;
      for (const p of await validateDocument(file, index, object)) {
        console.error(`INVALID ${p}`);
        problems++;
      }
    }
  }
  if (problems > 0) {
    console.error(`${problems} problem(s) in ${files.length} file(s)`);
    return 1;
  }
  console.log(`${documents} document(s) in ${files.length} file(s): valid`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
