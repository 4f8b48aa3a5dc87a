import { z } from 'zod';

/** One configuration key as the docs and the CLI help show it, read from the zod schema. */
export interface ConfigKey {
  /** Dotted path; `[]` marks the elements of a list (`model.layers[].units`). */
  readonly path: string;
  /** The accepted values in words: `integer > 0`, `number in [0, 1]`, `boolean`, `one of a, b`. */
  readonly type: string;
  /** The allowed values of an enum (or of a discriminator), for `--flag` choices. */
  readonly choices?: readonly string[];
  /** Whether the key has a default (`defaultValue`), is optional, or is required. */
  readonly presence: 'default' | 'optional' | 'required';
  readonly defaultValue?: unknown;
  /** A policy section of `tuning`: `false` turns it off, an object sets its keys. */
  readonly toggle?: boolean;
  /** The one-line `.describe()` of the key (undefined when the schema has none). */
  readonly description?: string;
}

type Schema = z.core.$ZodType;
type Def = z.core.$ZodTypeDef & Record<string, unknown>;

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'nonoptional']);

/**
 * Every key of a configuration schema, in schema order: its path, accepted values, default and
 * description, all read from the zod schema itself (the one place they are written).
 *
 * @example
 * configKeys(configSchema).find((k) => k.path === 'batch.size');
 * // { path: 'batch.size', type: 'integer > 0', presence: 'default', defaultValue: 32, description: 'mini-batch size' }
 */
export function configKeys(schema: Schema): ConfigKey[] {
  const out: ConfigKey[] = [];
  walk(schema, '', out);
  return out;
}

function def(schema: Schema): Def {
  return schema._zod.def as Def;
}

/** Peels defaults, optionals and pipes off a schema, keeping the outermost description, default and metadata. */
function unwrap(schema: Schema) {
  let core = schema;
  let description: string | undefined;
  let presence: ConfigKey['presence'] = 'required';
  let defaultValue: unknown;
  let meta: Record<string, unknown> = {};
  for (;;) {
    const m = z.globalRegistry.get(core) as Record<string, unknown> | undefined;
    if (m) meta = { ...m, ...meta };
    description ??= typeof m?.description === 'string' ? m.description : undefined;
    const d = def(core);
    if (d.type === 'default' || d.type === 'prefault') {
      if (presence === 'required') {
        presence = 'default';
        defaultValue = d.defaultValue;
      }
    } else if (d.type === 'optional' && presence === 'required') {
      presence = 'optional';
    }
    if (WRAPPERS.has(d.type)) core = d.innerType as Schema;
    else if (d.type === 'pipe') core = d.in as Schema;
    else break;
  }
  return { core, description, presence, defaultValue, meta };
}

function walk(schema: Schema, path: string, out: ConfigKey[], variant?: string): void {
  const { core, description, presence, defaultValue, meta } = unwrap(schema);
  const d = def(core);
  const row = (type: string, choices?: readonly string[]): void => {
    out.push({
      path,
      type: variant ? `(${variant}) ${type}` : type,
      ...(choices ? { choices } : {}),
      presence,
      ...(presence === 'default' ? { defaultValue } : {}),
      ...(meta.settings ? { toggle: true } : {}),
      ...(description !== undefined ? { description } : {}),
    });
  };
  if (meta.settings) {
    row('boolean or object');
    walk(meta.settings as Schema, path, out);
  } else if (d.type === 'object') {
    if (description !== undefined || presence === 'optional') row('object');
    for (const [key, child] of Object.entries(d.shape as Record<string, Schema>)) walk(child, join(path, key), out, variant);
  } else if (d.type === 'array') {
    const element = unwrap(d.element as Schema).core;
    const objects = objectsOf(element);
    if (objects.length === 0) {
      row(`list of ${plural(leafType(element))}`);
    } else {
      row('list of objects');
      walkObjects(objects, `${path}[]`, out);
    }
  } else if (d.type === 'union') {
    const options = d.options as Schema[];
    row(options.map((o) => leafType(unwrap(o).core)).join(' or '));
    walkObjects(objectsOf(core), path, out);
  } else {
    const choices = d.type === 'enum' ? Object.values(d.entries as Record<string, string>) : undefined;
    row(leafType(core), choices);
  }
}

/** The object options of a union (or the object itself), for listing their keys. */
function objectsOf(schema: Schema): Schema[] {
  const d = def(schema);
  if (d.type === 'object') return [schema];
  if (d.type === 'union') return (d.options as Schema[]).map((o) => unwrap(o).core).filter((o) => def(o).type === 'object');
  return [];
}

/**
 * Keys of one object, or of a tagged union of objects: the shared literal tag (`type`) becomes one
 * row with the variants as choices, and each variant's other keys are marked with its tag.
 */
function walkObjects(objects: Schema[], path: string, out: ConfigKey[]): void {
  if (objects.length === 1) {
    for (const [key, child] of Object.entries(def(objects[0] as Schema).shape as Record<string, Schema>)) walk(child, join(path, key), out);
    return;
  }
  const shapes = objects.map((o) => def(o).shape as Record<string, Schema>);
  const tag = Object.keys(shapes[0] ?? {}).find((key) => shapes.every((s) => s[key] && def(unwrap(s[key]).core).type === 'literal'));
  const tags = shapes.map((s) => (tag ? String((def(unwrap(s[tag] as Schema).core).values as unknown[])[0]) : undefined));
  if (tag) {
    const descriptions = shapes.map((s, i) => `${tags[i]}: ${unwrap(s[tag] as Schema).description ?? ''}`);
    out.push({
      path: join(path, tag),
      type: `one of ${tags.join(', ')}`,
      choices: tags as string[],
      presence: 'required',
      description: descriptions.join('; '),
    });
  }
  shapes.forEach((shape, i) => {
    for (const [key, child] of Object.entries(shape)) if (key !== tag) walk(child, join(path, key), out, tags[i]);
  });
}

/** Accepted values of a leaf schema in words, from its JSON Schema (bounds, integer, enum). */
function leafType(schema: Schema): string {
  const d = def(schema);
  if (d.type === 'enum') return `one of ${Object.values(d.entries as Record<string, string>).join(', ')}`;
  if (d.type === 'literal') return (d.values as unknown[]).map((v) => JSON.stringify(v)).join(' or ');
  if (d.type === 'object') return 'object';
  if (d.type === 'array') return `list of ${plural(leafType(unwrap(d.element as Schema).core))}`;
  if (d.type !== 'number' && d.type !== 'string' && d.type !== 'boolean') return d.type;
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const type = String(json.type);
  if (type !== 'number' && type !== 'integer') return type;
  const lo = bound(json.minimum, json.exclusiveMinimum);
  const hi = bound(json.maximum, json.exclusiveMaximum);
  if (lo && hi) return `${type} in ${lo.open ? '(' : '['}${lo.value}, ${hi.value}${hi.open ? ')' : ']'}`;
  if (lo) return `${type} ${lo.open ? '>' : '>='} ${lo.value}`;
  if (hi) return `${type} ${hi.open ? '<' : '<='} ${hi.value}`;
  return type;
}

/** A finite bound that says something (not the safe-integer range every integer has). */
function bound(inclusive: unknown, exclusive: unknown): { value: number; open: boolean } | undefined {
  const meaningful = (x: unknown): x is number => typeof x === 'number' && Math.abs(x) < Number.MAX_SAFE_INTEGER;
  if (meaningful(exclusive)) return { value: exclusive, open: true };
  if (meaningful(inclusive)) return { value: inclusive, open: false };
  return undefined;
}

function plural(type: string): string {
  return type.replace(/^(string|number|integer|boolean|object)\b/, '$1s');
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
