// Renders a kustomization folder the way `kubectl kustomize` does for the features Scar's manifests use
// (resources, strategic-merge patches by path, images, replicas), validates every rendered resource against
// the Kubernetes API schemas (kubernetes-models, generated from the Kubernetes OpenAPI spec) and prints the
// resources as a JSON array. Exit code 1 and a message naming the file and the field on the first invalid one.
//   node tests/k8s/render.mjs k8s/overlays/gpu
import { readFileSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";

const require = createRequire(import.meta.url);
const supported = new Set(["apiVersion", "kind", "resources", "patches", "images", "replicas"]);

function load(file) {
  return parseAllDocuments(readFileSync(file, "utf8")).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
    return d.toJS();
  }).filter((d) => d);
}

// Strategic merge as kubectl applies it to these kinds: maps merge, lists of named items merge by name.
function merge(base, patch) {
  if (Array.isArray(base) && Array.isArray(patch) && patch.every((p) => p && typeof p === "object" && "name" in p)) {
    const out = base.map((b) => ({ ...b }));
    for (const p of patch) {
      const i = out.findIndex((b) => b.name === p.name);
      if (i >= 0) out[i] = merge(out[i], p); else out.push(p);
    }
    return out;
  }
  if (base && patch && typeof base === "object" && typeof patch === "object" && !Array.isArray(base) && !Array.isArray(patch)) {
    const out = { ...base };
    for (const [k, v] of Object.entries(patch)) out[k] = k in base ? merge(base[k], v) : v;
    return out;
  }
  return patch;
}

function render(folder) {
  const file = join(folder, "kustomization.yaml");
  const [k] = load(file);
  for (const key of Object.keys(k)) if (!supported.has(key)) throw new Error(`${file}: '${key}' is not handled by this renderer`);
  let resources = [];
  for (const r of k.resources ?? []) {
    const path = join(folder, r);
    resources = resources.concat(statSync(path).isDirectory() ? render(path) : load(path).map((d) => ({ ...d, __file: path })));
  }
  for (const p of k.patches ?? []) {
    for (const patch of load(join(folder, p.path))) {
      const i = resources.findIndex((r) => r.kind === patch.kind && r.metadata.name === patch.metadata.name);
      if (i < 0) throw new Error(`${join(folder, p.path)}: no ${patch.kind} ${patch.metadata.name} to patch`);
      resources[i] = merge(resources[i], patch);
    }
  }
  for (const r of resources) {
    const pod = r.spec?.template?.spec;
    for (const c of pod?.containers ?? []) {
      const image = (k.images ?? []).find((i) => i.name === c.image.split(":")[0]);
      if (image) c.image = `${image.newName ?? image.name}:${image.newTag ?? "latest"}`;
    }
    const replicas = (k.replicas ?? []).find((x) => x.name === r.metadata.name);
    if (replicas) r.spec.replicas = replicas.count;
  }
  return resources;
}

function validate(resource) {
  const [group, version] = resource.apiVersion.includes("/") ? resource.apiVersion.split("/") : ["", resource.apiVersion];
  const module = `kubernetes-models/${group ? `${group}/` : ""}${version}/${resource.kind}`;
  const Model = require(module)[resource.kind];
  const { __file, ...body } = resource;
  try {
    new Model(body).validate();
  } catch (e) {
    throw new Error(`${__file}: ${resource.kind} ${resource.metadata?.name}: ${e.message}`);
  }
  return body;
}

try {
  const out = render(process.argv[2]).map(validate);
  process.stdout.write(JSON.stringify(out));
} catch (e) {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
