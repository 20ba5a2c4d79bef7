/**
 * JSON values and dotted paths.
 *
 * Workflow definitions, run inputs, step outputs and event data are all plain JSON so that they can be
 * stored, replayed and sent over GraphQL unchanged. Paths such as `data.anomaliesFound` or
 * `input.contracts.0.value` address into them; they are split once, when a definition is compiled, so
 * the hot path only walks arrays of keys.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A dotted path split into its keys. The empty path addresses the root itself. */
export type CompiledPath = readonly string[];

const PATH_SEGMENT = /^[A-Za-z0-9_$-]+$/;

/** Splits `a.b.0.c` into keys; returns an error message when a segment is empty or malformed. */
export function parsePath(path: string): CompiledPath | string {
  if (path === '' || path === '$') return [];
  const keys = path.split('.');
  for (const key of keys) {
    if (!PATH_SEGMENT.test(key)) return `"${path}" is not a dotted path (segment "${key}")`;
  }
  return keys;
}

export function compilePath(path: string): CompiledPath {
  const parsed = parsePath(path);
  if (typeof parsed === 'string') throw new TypeError(parsed);
  return parsed;
}

/** Reads a path; `undefined` when any key along the way is missing. */
export function readPath(root: unknown, path: CompiledPath): unknown {
  let value = root;
  for (let i = 0; i < path.length; i++) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[path[i] as string];
  }
  return value;
}

/** Writes a path, creating plain objects for missing intermediate keys. */
export function writePath(root: Record<string, unknown>, path: CompiledPath, value: unknown): void {
  if (path.length === 0) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) Object.assign(root, value);
    return;
  }
  let target = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = target[key];
    if (next === null || typeof next !== 'object') {
      const created: Record<string, unknown> = {};
      target[key] = created;
      target = created;
    } else {
      target = next as Record<string, unknown>;
    }
  }
  target[path[path.length - 1] as string] = value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Converts what an agent returned into JSON: drops `undefined`, turns Dates into ISO strings, and
 * rejects what JSON cannot hold (functions, cycles, non-finite numbers) with the offending path.
 */
export function toJson(value: unknown, path = '$', seen?: Set<object>): JsonValue {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}, which JSON cannot hold`);
      return value;
    case 'bigint':
      return Number(value);
    case 'undefined':
      return null;
    case 'object': {
      if (value instanceof Date) return value.toISOString();
      // Created at the first object only: most agents return null or a string.
      seen ??= new Set();
      if (seen.has(value)) throw new TypeError(`${path} refers back to itself`);
      seen.add(value);
      let result: JsonValue;
      if (Array.isArray(value)) {
        result = value.map((item, i) => toJson(item, `${path}[${i}]`, seen));
      } else {
        const object: JsonObject = {};
        for (const [key, item] of Object.entries(value)) {
          if (item !== undefined) object[key] = toJson(item, `${path}.${key}`, seen);
        }
        result = object;
      }
      seen.delete(value);
      return result;
    }
    default:
      throw new TypeError(`${path} is a ${typeof value}, which JSON cannot hold`);
  }
}
