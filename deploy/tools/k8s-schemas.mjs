// Converts Kubernetes' OpenAPI v2 document (api/openapi-spec/swagger.json of k8s.io/kubernetes) into the
// standalone, strict JSON schemas kubeconform reads: one file per kind, named like kubeconform's default
// layout (`deployment-apps-v1.json`, `service-v1.json`), each with the definitions it references inlined
// under `definitions`. Strict = unknown fields are errors (additionalProperties: false on every object
// that lists its properties), as in kubeconform's `-strict` schema sets.
// Usage: node deploy/tools/k8s-schemas.mjs <swagger.json> <out dir>
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [swaggerPath, outDir] = process.argv.slice(2);
if (!swaggerPath || !outDir) {
  process.stderr.write('usage: k8s-schemas.mjs <swagger.json> <out dir>\n');
  process.exit(2);
}
const defs = JSON.parse(readFileSync(swaggerPath, 'utf8')).definitions;
const REF = '#/definitions/';

/** One schema node made strict; int-or-string and Quantity accept what the API server accepts. */
function convert(node) {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  if (node.format === 'int-or-string') return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-kubernetes-')) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, convert(s)])) : convert(v);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function refsOf(node, found) {
  if (Array.isArray(node)) for (const n of node) refsOf(n, found);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) {
        const name = v.slice(REF.length);
        if (!found.has(name)) {
          found.add(name);
          refsOf(defs[name], found);
        }
      } else refsOf(v, found);
    }
  }
  return found;
}

const converted = {};
for (const [name, def] of Object.entries(defs)) converted[name] = convert(def);
converted['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };

mkdirSync(outDir, { recursive: true });
let files = 0;
for (const [name, def] of Object.entries(defs)) {
  for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
    const group = gvk.group === '' ? '' : `-${gvk.group.split('.')[0]}`;
    const file = `${gvk.kind.toLowerCase()}${group}-${gvk.version}.json`.toLowerCase();
    const deps = [...refsOf(def, new Set())].sort();
    const schema = { ...converted[name], definitions: Object.fromEntries(deps.map((d) => [d, converted[d]])) };
    writeFileSync(join(outDir, file), JSON.stringify(schema));
    files += 1;
  }
}
process.stdout.write(`${files} schemas written to ${outDir}\n`);
