import type { Json, JsonObject, ParsedTool } from './tool-json.js';

/**
 * Harmony's TypeScript-like rendering of function tools, the "# Tools" section of the developer
 * message: `## functions\n\nnamespace functions {\n\n` then per tool `// {description}\n` (when
 * given) and `type {name} = (_: {\n...}) => any;\n\n` (or `() => any;` without properties), then
 * `} // namespace functions`. Each property is `// {description}\n` (when given), `name` with `?`
 * unless required, `: {type}`, then `,\n`, or `, // default: {default}\n` when a default is given (as harmony's
 * documentation shows; the gpt-oss Jinja template writes a stray `,` after the default). Types follow the
 * gpt-oss chat template's subset of JSON Schema: string (an enum as `"a" | "b"`), number/integer
 * as number, boolean, arrays as `T[]`, objects with properties inline, a type list joined by ` | `,
 * `| null` for nullable, anything else `any`.
 */
export function renderFunctionsNamespace(tools: readonly ParsedTool[]): string {
  let out = '## functions\n\nnamespace functions {\n\n';
  for (const tool of tools) {
    if (tool.description !== '') out += `// ${tool.description}\n`;
    const props = objectAt(tool.parameters, 'properties');
    if (props === undefined || Object.keys(props).length === 0) {
      out += `type ${tool.name} = () => any;\n\n`;
      continue;
    }
    const required = requiredOf(tool.parameters);
    out += `type ${tool.name} = (_: {\n`;
    for (const [name, spec] of Object.entries(props)) {
      const s = isObject(spec) ? spec : {};
      if (typeof s['description'] === 'string' && s['description'] !== '') out += `// ${s['description']}\n`;
      out += `${name}${required.includes(name) ? '' : '?'}: ${tsType(s)}`;
      const fallback = s['default'];
      out += fallback === undefined ? ',\n' : `, // default: ${typeof fallback === 'string' ? fallback : JSON.stringify(fallback)}\n`;
    }
    out += '}) => any;\n\n';
  }
  return out + '} // namespace functions';
}

function tsType(spec: JsonObject): string {
  const nullable = spec['nullable'] === true ? ' | null' : '';
  const type = spec['type'];
  if (Array.isArray(type)) return type.map(String).join(' | ');
  switch (type) {
    case 'string': {
      const values = spec['enum'];
      if (Array.isArray(values) && values.length > 0) return values.map((v) => `"${String(v)}"`).join(' | ');
      return `string${nullable}`;
    }
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = spec['items'];
      return `${isObject(items) ? tsType(items) : 'any'}[]${nullable}`;
    }
    case 'object': {
      const props = objectAt(spec, 'properties');
      if (props === undefined) return 'object';
      const required = requiredOf(spec);
      const fields = Object.entries(props).map(([n, p]) => `${n}${required.includes(n) ? '' : '?'}: ${tsType(isObject(p) ? p : {})}`);
      return `{\n${fields.join(', ')}}`;
    }
    default:
      return 'any';
  }
}

const isObject = (v: Json | undefined): v is JsonObject => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);

function objectAt(o: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = o?.[key];
  return isObject(v) ? v : undefined;
}

function requiredOf(o: JsonObject | undefined): string[] {
  const r = o?.['required'];
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}
