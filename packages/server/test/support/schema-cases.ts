// The procedures under test and their inputs, derived from the router and each procedure's own zod input schema, so
// that the fuzz and security suites follow the contract by construction: a new procedure is tested as soon as it is
// in appRouter, and tightening a schema changes both the cases sent and what the suites expect of them.
//
// Bounds (lengths, integer ranges, enums, required fields, strictness) are read from z.toJSONSchema of the input
// schema (both its input and output side, so a pipe's checks count too); whether a value is valid is always decided
// by the zod schema itself (safeParse), never by a restatement here.
import { z } from 'zod';
import type { Config } from '../../src/config';
import type { FieldErrors } from '../../src/errors';
import { appRouter } from '../../src/router';
import { adminProcedure, authedProcedure } from '../../src/trpc/procedures';
import { fieldErrorsFromZod } from '../../src/validation';

/** Who may call a procedure: read from the base procedure it is built on (its middleware chain). */
export type Access = 'public' | 'user' | 'admin';

export interface ProcedureUnderTest {
  /** The tRPC path, e.g. `reservations.createHold`. */
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  access: Access;
  /** The zod input schema (undefined: the procedure declares none). */
  input: z.ZodType | undefined;
  /** The zod output schema: the fields its answer carries. */
  output: z.ZodType | undefined;
  /** Its JSON schema (input side), the source of field names, bounds and strictness. */
  json: JsonNode;
  /** The REST route from meta.openapi, when the procedure is exposed over REST. */
  rest?: { method: string; path: string; pathParams: string[] };
}

/** The part of JSON Schema that z.toJSONSchema emits for this API's inputs. */
export interface JsonNode {
  type?: string | string[];
  anyOf?: JsonNode[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonNode;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonNode>;
  required?: string[];
  additionalProperties?: boolean | JsonNode;
  default?: unknown;
}

interface ProcDef {
  _def: {
    type: ProcedureUnderTest['type'];
    inputs: z.ZodType[];
    output?: z.ZodType;
    middlewares: unknown[];
    meta?: { openapi?: { method: string; path: string } };
  };
}

const lastMiddleware = (p: unknown) => {
  const list = (p as { _def: { middlewares: unknown[] } })._def.middlewares;
  return list[list.length - 1];
};
const ADMIN_GATE = lastMiddleware(adminProcedure);
const AUTH_GATE = lastMiddleware(authedProcedure);

function toJson(schema: z.ZodType | undefined, io: 'input' | 'output'): JsonNode {
  if (!schema) return {};
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonNode;
}

/** Every procedure of appRouter, in router order. */
export function proceduresUnderTest(): ProcedureUnderTest[] {
  const defs = appRouter._def.procedures as unknown as Record<string, ProcDef>;
  return Object.entries(defs).map(([name, p]) => {
    const d = p._def;
    const input = d.inputs[0];
    const access: Access = d.middlewares.includes(ADMIN_GATE)
      ? 'admin'
      : d.middlewares.includes(AUTH_GATE)
        ? 'user'
        : 'public';
    const openapi = d.meta?.openapi;
    const rest = openapi
      ? {
          method: openapi.method,
          path: openapi.path,
          pathParams: [...openapi.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        }
      : undefined;
    return {
      name,
      type: d.type,
      access,
      input,
      output: d.output,
      json: withOutputBounds(toJson(input, 'input'), input),
      ...(rest ? { rest } : {}),
    };
  });
}

/**
 * Adds the numeric bounds of each property's output side where its input side has none: an id is sent as a number
 * or a string of digits, and its range (1..2^31-1) is checked after the pipe that coerces it.
 */
function withOutputBounds(json: JsonNode, schema: z.ZodType | undefined): JsonNode {
  const out = toJson(schema, 'output');
  if (!json.properties || !out.properties) return json;
  const properties: Record<string, JsonNode> = {};
  for (const [key, node] of Object.entries(json.properties)) {
    const o = out.properties[key];
    const bounded = o && (o.minimum !== undefined || o.maximum !== undefined) && !hasBounds(node);
    properties[key] = bounded ? { ...node, minimum: o.minimum, maximum: o.maximum } : node;
  }
  return { ...json, properties };
}

const hasBounds = (n: JsonNode): boolean =>
  n.minimum !== undefined || n.maximum !== undefined || (n.anyOf ?? []).some(hasBounds);

/** Field names, required fields and strictness of an object input. */
export function fieldsOf(p: ProcedureUnderTest): { names: string[]; required: string[]; strict: boolean } {
  return {
    names: Object.keys(p.json.properties ?? {}),
    required: p.json.required ?? [],
    strict: p.json.additionalProperties === false,
  };
}

/** The zod schema of one property, for checking a candidate value of that field alone. */
function propertySchema(schema: z.ZodType | undefined, key: string): z.ZodType | undefined {
  let s = schema as { _zod: { def: Record<string, unknown> } } | undefined;
  for (let i = 0; s && i < 10; i++) {
    const def = s._zod.def;
    if (def.type === 'object') return (def.shape as Record<string, z.ZodType>)[key];
    s = (def.type === 'pipe' ? def.in : def.innerType) as typeof s;
  }
  return undefined;
}

const typesOf = (n: JsonNode): string[] =>
  n.anyOf
    ? n.anyOf.flatMap(typesOf)
    : n.enum
      ? [...new Set(n.enum.map((v) => typeof v))]
      : n.type
        ? [n.type].flat()
        : [];

/** Values of the node's own kind that a valid value could be (the schema decides which are). */
function candidates(n: JsonNode): unknown[] {
  if (n.anyOf) return n.anyOf.flatMap(candidates);
  if (n.enum) return n.enum;
  const lo = n.minimum ?? n.exclusiveMinimum ?? 1;
  switch ([n.type].flat()[0]) {
    case 'integer':
    case 'number':
      return [Math.max(lo, 1), lo, n.maximum ?? 1];
    case 'boolean':
      return [false, true];
    case 'array':
      return n.items ? candidates(n.items).map((v) => [v]) : [[]];
    case 'object':
      return [{}];
    case 'string': {
      const min = n.minLength ?? 0;
      if (n.format === 'email') return ['fuzz@example.com'];
      return ['2031-06-01T10:00:00Z', '2031-06-01', '1', 'fuzz', 'a'.repeat(Math.max(min, 1))];
    }
    default:
      return [];
  }
}

/** A value the field's own schema accepts (or undefined when none of the candidates is). */
export function sampleOf(p: ProcedureUnderTest, key: string, pick = 0): unknown {
  const node = p.json.properties?.[key];
  const schema = propertySchema(p.input, key);
  if (!node || !schema) return undefined;
  const ok = candidates(node).filter((v) => schema.safeParse(v).success);
  return ok.length > 0 ? ok[pick % ok.length] : undefined;
}

/**
 * An input the schema accepts, as far as its fields allow: `hints` (values from the test's world: real ids, tokens,
 * times) first, then a sample of each required field. Hints for fields the schema does not have are left out.
 */
export function baseInput(
  p: ProcedureUnderTest,
  hints: Record<string, unknown> = {},
  pick = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { names, required } = fieldsOf(p);
  for (const key of names) {
    if (key in hints && hints[key] !== undefined) out[key] = hints[key];
    else if (required.includes(key)) out[key] = sampleOf(p, key, pick);
  }
  return out;
}

/** One value of each JSON type (the object is a NoSQL operator, the array holds a plausible element). */
const WRONG_TYPES: Record<string, unknown[]> = {
  string: [''],
  number: [1],
  boolean: [true],
  null: [null],
  array: [['x']],
  object: [{ $gt: '' }],
};

/**
 * Values near and past each bound of a field, and values of every other JSON type: what a client is most likely to
 * get wrong. Each is only a candidate: the schema decides which are refused.
 */
export function nearMisses(node: JsonNode | undefined): unknown[] {
  if (!node) return [...Object.values(WRONG_TYPES).flat()];
  const out: unknown[] = [];
  const branches = node.anyOf ?? [node];
  for (const b of branches) {
    const t = [b.type].flat()[0];
    if (b.enum) {
      for (const v of b.enum) out.push(v, typeof v === 'string' ? `${v}x` : v);
      const first = b.enum.find((v): v is string => typeof v === 'string');
      if (first) out.push(first.toLowerCase() === first ? first.toUpperCase() : first.toLowerCase(), ` ${first}`);
    }
    if (t === 'string' && !b.enum) {
      const min = b.minLength ?? 0;
      if (min > 0) out.push('a'.repeat(min - 1), 'a'.repeat(min), ' '.repeat(min));
      if (b.maxLength !== undefined) {
        // Boundary in UTF-16 units and in code points: an emoji is two units, one code point.
        out.push('a'.repeat(b.maxLength), 'a'.repeat(b.maxLength + 1), '🙂'.repeat(Math.ceil(b.maxLength / 2) + 1));
        out.push(' '.repeat(b.maxLength) + 'a');
      }
      if (b.pattern || b.format) out.push('not valid!', '2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z', '2026-01-01');
    }
    if (t === 'integer' || t === 'number') {
      const lo = b.minimum ?? b.exclusiveMinimum;
      const hi = b.maximum ?? b.exclusiveMaximum;
      if (lo !== undefined) out.push(lo - 1, lo, lo + 0.5, String(lo));
      if (hi !== undefined) out.push(hi, hi + 1, String(hi));
      out.push(-0, 1.5, 1e308);
    }
    if (t === 'boolean') out.push('true', 'false', 0, 1);
    if (t === 'array') {
      const item = b.items ? candidates(b.items)[0] : 'x';
      if (b.minItems !== undefined) out.push(Array.from({ length: Math.max(0, b.minItems - 1) }, () => item));
      if (b.maxItems !== undefined) out.push(Array.from({ length: b.maxItems + 1 }, () => item));
      out.push(item);
    }
  }
  const accepted = new Set(typesOf(node).map((t) => (t === 'integer' ? 'number' : t)));
  for (const [t, values] of Object.entries(WRONG_TYPES)) {
    if (!accepted.has(t === 'integer' ? 'number' : t)) out.push(...values);
  }
  return out;
}

/** Hostile strings for any string field: NUL, huge, unicode edge cases, prototype-named values. */
export const HOSTILE_STRINGS = ['a\u0000b', 'x'.repeat(30_000), '\ud800', '\u202eevil', 'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗͚̓', '__proto__'];

/** Keys no input declares; prototype names are sent as own keys. */
export const UNKNOWN_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'unknown_field', 'is_superuser'];

/** Sets a key as an own data property, so that `__proto__` is sent as a JSON key rather than changing a prototype. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface SchemaCase {
  /** e.g. `quantity=11`, `missing event_id`, `+toString`. */
  label: string;
  /** The whole input (undefined: none sent). */
  input: unknown;
}

const show = (v: unknown) => {
  const s =
    typeof v === 'string' ? JSON.stringify(v.length > 24 ? `${v.slice(0, 12)}…(${v.length})` : v) : JSON.stringify(v);
  return s ?? String(v);
};

/** The cases derived from one procedure's schema around a base input (see the file header). */
export function schemaCases(p: ProcedureUnderTest, base: Record<string, unknown>): SchemaCase[] {
  const cases: SchemaCase[] = [{ label: 'base', input: base }];
  const { names, required } = fieldsOf(p);
  for (const key of required) {
    const { [key]: _dropped, ...rest } = base;
    cases.push({ label: `missing ${key}`, input: rest });
  }
  for (const key of names) {
    const node = p.json.properties?.[key];
    const values = [...nearMisses(node)];
    if (typesOf(node ?? {}).includes('string')) values.push(...HOSTILE_STRINGS);
    const seen = new Set<string>();
    for (const v of values) {
      const id = `${typeof v}:${JSON.stringify(v)}`;
      if (seen.has(id)) continue;
      seen.add(id);
      cases.push({ label: `${key}=${show(v)}`, input: { ...base, [key]: v } });
    }
  }
  for (const key of UNKNOWN_KEYS) {
    if (names.includes(key)) continue;
    const input = { ...base };
    setOwn(input, key, 1);
    cases.push({ label: `+${key}`, input });
  }
  for (const whole of [null, [], 'x', 1]) cases.push({ label: `input=${show(whole)}`, input: whole });
  return cases;
}

/** The schema's verdict on an input: undefined when it accepts it, else the DRF field map the API must answer with. */
export function schemaRefusal(p: ProcedureUnderTest, input: unknown): FieldErrors | undefined {
  if (!p.input) return undefined;
  const result = p.input.safeParse(input);
  return result.success ? undefined : fieldErrorsFromZod(result.error);
}

/** Whether any string value in the input holds U+0000 (refused before the schema runs: PostgreSQL cannot store it). */
/** The refusal messages of strings the server cannot store as sent (procedures.ts refuseUnstorableText), per kind. */
export const UNSTORABLE = {
  nul: 'Null characters are not allowed.',
  loneSurrogate: 'Unpaired surrogate characters are not allowed.',
} as const;

/** The messages the server may answer for the unstorable strings in an input (it names the first it finds). */
export function unstorableTextReasons(input: unknown, depth = 0, found = new Set<string>()): Set<string> {
  if (depth > 50) return found;
  if (typeof input === 'string') {
    if (input.includes('\u0000')) found.add(UNSTORABLE.nul);
    if (/\p{Cs}/u.test(input)) found.add(UNSTORABLE.loneSurrogate);
  } else if (input && typeof input === 'object') {
    for (const v of Object.values(input)) unstorableTextReasons(v, depth + 1, found);
  }
  return found;
}

/**
 * Limits the running configuration sets on top of a schema (the service enforces them, API.md documents them),
 * checked on the schema's parsed output so that defaults apply. Each names its config key.
 */
export function configRefusal(
  p: ProcedureUnderTest,
  input: unknown,
  config: Pick<Config, 'maxHoldQuantity'>,
): FieldErrors | undefined {
  const parsed = p.input?.safeParse(input);
  if (!parsed?.success) return undefined;
  const data = parsed.data as Record<string, unknown> | undefined;
  // MAX_HOLD_QUANTITY: the schema only keeps quantities sane; the configured ceiling is lower.
  if (
    p.name === 'reservations.createHold' &&
    typeof data?.quantity === 'number' &&
    data.quantity > config.maxHoldQuantity
  ) {
    return { quantity: [`Ensure this value is less than or equal to ${config.maxHoldQuantity}.`] };
  }
  return undefined;
}

/** A procedure declared with z.void(): the REST adapter then passes no input at all, whatever the query holds. */
export function takesNoInput(p: ProcedureUnderTest): boolean {
  const type = (p.input as { _zod?: { def: { type: string } } } | undefined)?._zod?.def.type;
  return type === 'void' || type === 'undefined';
}

/** Every field name the procedure's answer carries, at any depth (what a client may try to send back). */
export function answerFieldNames(p: ProcedureUnderTest): string[] {
  const names = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 30 || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    for (const [k, x] of Object.entries(v)) {
      if (k === 'properties' && x && typeof x === 'object') Object.keys(x).forEach((n) => names.add(n));
      walk(x, depth + 1);
    }
  };
  walk(toJson(p.output, 'output'), 0);
  return [...names];
}
