/**
 * Parameter verification as PVE::JSONSchema::validate does it: unknown names, missing required ones, types
 * (booleans only `0`/`1` or JSON true/false), ranges, lengths, patterns, enums, named formats and property
 * strings (`name=eth0,bridge=vmbr0,…`). The result is PVE's `errors` map by parameter.
 */
import { checkNamedFormat, EmulatorGap } from './formats.ts';
import type { MethodSchema, ParamSchema } from './schema.ts';

/** A parameter as it arrived: form fields are strings, JSON bodies may carry booleans and numbers. */
export type ParamValue = string | number | boolean | ParamValue[];

/**
 * How many of an indexed option (`net[n]`, `mp[n]`) a guest may have; the API schema says `[n]` without the
 * bound, which lives in pve-container (MAX_LXC_NETWORKS, MAX_MOUNT_POINTS …) and qemu-server.
 */
const INDEX_LIMITS: Record<string, number> = {
  'lxc:net': 32,
  'lxc:mp': 256,
  'lxc:unused': 256,
  'lxc:dev': 256,
  'qemu:net': 32,
  'qemu:ide': 4,
  'qemu:sata': 6,
  'qemu:scsi': 31,
  'qemu:virtio': 16,
  'qemu:ipconfig': 32,
  'qemu:unused': 256,
  'qemu:hostpci': 16,
  'qemu:usb': 14,
  'qemu:serial': 4,
  'qemu:parallel': 3,
  'qemu:numa': 8,
  'qemu:virtiofs': 10,
};

const perlRegexCache = new Map<string, RegExp>();

/** A Perl pattern of the schema as a JavaScript one, anchored the way PVE matches (`^(?:pattern)$`). */
export function perlPattern(pattern: string): RegExp {
  let re = perlRegexCache.get(pattern);
  if (!re) {
    // Perl's `(?^:…)` is "default flags" and `(?^i:…)` adds case-insensitivity; V8 has `(?i:…)` modifiers.
    const js = pattern.replace(/\(\?\^:/g, '(?:').replace(/\(\?\^([a-z]+):/g, '(?$1:');
    try {
      re = new RegExp(`^(?:${js})$`, 'u');
    } catch {
      re = new RegExp(`^(?:${js})$`);
    }
    perlRegexCache.set(pattern, re);
  }
  return re;
}

const isInteger = (v: string) => /^[+-]?\d+$/.test(v);
const isNumber = (v: string) => /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(v);
const parseBoolean = (v: string): string => (/^(1|on|yes|true)$/i.test(v) ? '1' : /^(0|off|no|false)$/i.test(v) ? '0' : v);

type Errors = Record<string, string>;

function addError(errors: Errors, path: string, msg: string): undefined {
  const p = path || '_root';
  errors[p] = errors[p] ? `${errors[p]}\n${msg}` : msg;
  return undefined;
}

/** Which schema entry stands for a key: itself, or its indexed family (`net3` → `net[n]`) within bounds. */
function schemaFor(props: Record<string, ParamSchema>, key: string, family: string): ParamSchema | undefined {
  if (props[key]) return props[key];
  const m = /^([a-z]+)(\d+)$/.exec(key);
  if (!m) return undefined;
  const s = props[`${m[1]}[n]`];
  if (!s) return undefined;
  const limit = INDEX_LIMITS[`${family}:${m[1]}`];
  if (limit === undefined) throw new EmulatorGap(`the emulator does not know how many '${m[1]}[n]' a ${family} request may carry`);
  return Number(m[2]) < limit ? s : undefined;
}

function checkProp(value: ParamValue | undefined, schema: ParamSchema, path: string, errors: Errors): undefined {
  if (schema.alias) return undefined;
  if (value === undefined) {
    if (!schema.optional) addError(errors, path, 'property is missing and it is not optional');
    return undefined;
  }
  const type = schema.type;
  if (Array.isArray(value)) {
    if (type !== 'array') return addError(errors, path, `type check ('${type}') failed - got ARRAY`);
    value.forEach((el, i) => {
      if (schema.items) checkProp(el, schema.items, `${path}[${i}]`, errors);
    });
    return undefined;
  }
  if (type === 'array') return addError(errors, path, `type check ('array') failed`);
  if (typeof value === 'boolean' && type !== 'boolean') return addError(errors, path, `type check ('${type}') failed - got JSON::PP::Boolean`);
  const v = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  if (type === 'boolean' && typeof value !== 'boolean' && v !== '0' && v !== '1') return addError(errors, path, `type check ('boolean') failed - got '${v}'`);
  if (type === 'integer' && !isInteger(v)) return addError(errors, path, `type check ('integer') failed - got '${v}'`);
  if (type === 'number' && !isNumber(v)) return addError(errors, path, `type check ('number') failed - got '${v}'`);
  if (schema.format !== undefined) {
    try {
      if (typeof schema.format === 'string') checkNamedFormat(schema.format, v);
      else checkPropertyString(schema.format, v, path);
    } catch (err) {
      if (err instanceof EmulatorGap) throw err;
      return addError(errors, path, `invalid format - ${(err as Error).message}\n`);
    }
  }
  if (schema.pattern && !perlPattern(schema.pattern).test(v)) return addError(errors, path, 'value does not match the regex pattern');
  if (schema.maxLength !== undefined && v.length > schema.maxLength) return addError(errors, path, `value may only be ${schema.maxLength} characters long`);
  if (schema.minLength !== undefined && v.length < schema.minLength) return addError(errors, path, `value must be at least ${schema.minLength} characters long`);
  if (isNumber(v)) {
    if (schema.maximum !== undefined && Number(v) > Number(schema.maximum)) return addError(errors, path, `value must have a maximum value of ${schema.maximum}`);
    if (schema.minimum !== undefined && Number(v) < Number(schema.minimum)) return addError(errors, path, `value must have a minimum value of ${schema.minimum}`);
  }
  if (schema.enum && !schema.enum.includes(v)) addError(errors, path, `value '${v}' does not have a value in the enumeration '${schema.enum.join(', ')}'`);
  return undefined;
}

/** Parses and checks a property string (`key=value,…` with an optional default key); throws PVE's message. */
export function checkPropertyString(format: Record<string, ParamSchema>, data: string, path: string): Record<string, string> {
  const res: Record<string, string> = {};
  let defaultKey: string | undefined;
  for (const part of data.split(',')) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/.exec(part);
    if (kv) {
      let k = kv[1]!;
      let v = kv[2]!;
      if (res[k] !== undefined) throw new Error(`duplicate key in comma-separated list property: ${k}`);
      let s = format[k];
      if (s?.alias) {
        k = s.alias;
        s = format[k];
      }
      if (!s) throw new Error(`invalid key in comma-separated list property: ${k}`);
      if (s.type === 'boolean') v = parseBoolean(v);
      res[k] = v;
    } else if (!part.includes('=')) {
      if (defaultKey) throw new Error(`duplicate key in comma-separated list property: ${defaultKey}`);
      defaultKey = Object.keys(format).find((k) => format[k]!.default_key);
      if (!defaultKey) throw new Error('value without key, but schema does not define a default key');
      res[defaultKey] = format[defaultKey]!.type === 'boolean' ? parseBoolean(part) : part;
    } else throw new Error('missing key in comma-separated list property');
  }
  const errors: Errors = {};
  checkObject(format, res, false, errors, path, 'none');
  if (Object.keys(errors).length > 0) {
    throw new Error(`format error\n${Object.entries(errors).map(([k, m]) => `${k}: ${m}`).join('\n')}`);
  }
  return res;
}

function checkObject(props: Record<string, ParamSchema>, value: Record<string, ParamValue>, additional: boolean, errors: Errors, path: string, family: string): void {
  const sub = (k: string) => (path ? `${path}.${k}` : k);
  for (const [k, s] of Object.entries(props)) {
    if (k.endsWith('[n]')) continue;
    checkProp(value[k], s, sub(k), errors);
  }
  for (const [k, v] of Object.entries(value)) {
    const s = props[k] ? props[k] : schemaFor(props, k, family);
    if (!s) {
      if (!additional) addError(errors, sub(k), 'property is not defined in schema and the schema does not allow additional properties');
      continue;
    }
    if (!props[k]) checkProp(v, s, sub(k), errors);
    if (s.requires && value[s.requires] === undefined) addError(errors, sub(s.requires), `missing property required by '${sub(k)}'`);
  }
}

/**
 * Checks a request's parameters against its method schema; answers PVE's `errors` map (empty when valid).
 * `family` (`lxc`, `qemu`, `other`) picks the bound of indexed options.
 */
export function validateParams(method: MethodSchema, params: Record<string, ParamValue>, family: string): Errors {
  const errors: Errors = {};
  const schema = method.parameters ?? {};
  const props = schema.properties ?? {};
  // instance-types: a property meant for another `type` value counts as absent (storage and SDN plugins).
  const typeProp = Object.values(props).find((p) => p['type-property'])?.['type-property'];
  const instanceType = typeProp ? String(params[typeProp] ?? '') : '';
  const effective: Record<string, ParamSchema> = {};
  for (const [k, p] of Object.entries(props)) {
    effective[k] = p['instance-types'] && instanceType && !p['instance-types'].includes(instanceType) ? { ...p, optional: 1 } : p;
  }
  checkObject(effective, params, schema.additionalProperties === 1, errors, '', family);
  return errors;
}
