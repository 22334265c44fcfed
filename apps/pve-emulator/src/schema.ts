/**
 * The official Proxmox VE API schema (the `apiSchema` tree of pve-docs, converted to JSON), loaded once and
 * turned into a route table: path template → method → parameter schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One parameter's schema as the API viewer dumps it (PVE::JSONSchema, not JSON Schema). */
export interface ParamSchema {
  type?: string;
  optional?: number;
  format?: string | Record<string, ParamSchema>;
  pattern?: string;
  enum?: string[];
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  requires?: string;
  default_key?: number;
  alias?: string;
  items?: ParamSchema;
  'instance-types'?: string[];
  'type-property'?: string;
}

/** One method of one path. */
export interface MethodSchema {
  method: string;
  name: string;
  parameters?: { additionalProperties?: number; properties?: Record<string, ParamSchema> };
  permissions?: { check?: unknown[]; user?: string };
  allowtoken?: number;
  protected?: number;
  proxyto?: string;
}

interface SchemaNode {
  path: string;
  info?: Record<string, MethodSchema>;
  children?: SchemaNode[];
}

/** A path template of the API with a matcher for concrete paths. */
export interface Route {
  template: string;
  /** Names of the `{…}` segments, in order. */
  vars: string[];
  regex: RegExp;
  methods: Record<string, MethodSchema>;
}

/** The schema the emulator checks against, as routes. */
export interface ApiSchema {
  version: string;
  routes: Route[];
  /** The route and path variables of a concrete path; null when the API has no such path. */
  match(path: string): { route: Route; vars: Record<string, string> } | null;
}

/**
 * Where the reference lives: `PVE_API_SCHEMA` when set, else `shared/reference/` beside the repository (the
 * steering folder a developer and CI have). Null when neither exists.
 */
export function defaultSchemaFile(version: '8' | '9.1.3' = '9.1.3'): string | null {
  if (process.env.PVE_API_SCHEMA) return process.env.PVE_API_SCHEMA;
  const file = referenceSchemaFile(version);
  if (existsSync(file)) return file;
  // On a user's machine: the part of the reference the emulator serves, extracted by scripts/extract-pve-schema.ts.
  return existsSync(EXTRACT_FILE) ? EXTRACT_FILE : null;
}

/** The full reference beside the repository (`../shared/reference/`). */
export function referenceSchemaFile(version: '8' | '9.1.3' = '9.1.3'): string {
  return join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'reference', `pve-api-schema-${version}.json`);
}

/** The committed extract: the reference's entries for the paths the emulator serves. */
export const EXTRACT_FILE = join(import.meta.dirname, '..', 'schema', 'pve-api-schema-9.1.3.extract.json');

/** Loads a schema file into routes; a path variable matches one segment, as in PVE's router. */
export function loadSchema(file: string): ApiSchema {
  const tree = JSON.parse(readFileSync(file, 'utf8')) as SchemaNode[];
  const routes: Route[] = [];
  const walk = (n: SchemaNode) => {
    if (n.info && Object.keys(n.info).length > 0) {
      const vars: string[] = [];
      const source = n.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, v: string) => {
        vars.push(v);
        return '([^/]+)';
      });
      routes.push({ template: n.path, vars, regex: new RegExp(`^${source}$`), methods: n.info });
    }
    for (const c of n.children ?? []) walk(c);
  };
  for (const n of tree) walk(n);
  // Literal segments win over variables (`/nodes/{node}/lxc` before `/nodes/{node}/{x}`): fewer variables first.
  routes.sort((a, b) => a.vars.length - b.vars.length);
  const version = file.match(/pve-api-schema-([\d.]+)[^/]*\.json$/)?.[1] ?? 'unknown';
  return {
    version,
    routes,
    match(path) {
      for (const route of routes) {
        const m = route.regex.exec(path);
        if (!m) continue;
        const vars: Record<string, string> = {};
        route.vars.forEach((v, i) => {
          vars[v] = decodeURIComponent(m[i + 1] ?? '');
        });
        return { route, vars };
      }
      return null;
    },
  };
}
