import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IMAGE_INCLUDES } from './images.ts';
import { findCommand } from './preflight.ts';
import { HOST_COMMANDS, HOST_FILES, HOST_SYSCTLS } from './requirements.ts';

const ROOT = join(import.meta.dirname, '../../../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    // Test helpers (harnesses, kits) run only under scripts/test.sh, which installs what they use.
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !/test-(harness|kit)/.test(e.name) ? [p] : [];
  });
}

/** Packages the project's scripts install: every word after apt_install in scripts/*.sh. */
function scriptedPackages(): Set<string> {
  const dir = join(ROOT, 'scripts');
  const names = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.sh'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/^\s*apt_install\s+([^\n#]+)/gm)) {
      for (const w of (m[1] ?? '').split(/\s+/)) if (/^[a-z0-9][a-z0-9.+-]+$/.test(w)) names.add(w);
    }
  }
  return names;
}

// dpkg-query's own format syntax, not a template literal.
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format
const essential = (pkg: string) => execFileSync('dpkg-query', ['-W', '-f=${Essential}', pkg], { encoding: 'utf8' }).trim() === 'yes';

/** The /usr-merged twins of a path: dpkg records some files under /bin, others under /usr/bin. */
const twins = (path: string) => {
  const real = realpathSync(path);
  return [...new Set([path, real, real.replace(/^\/usr(?=\/(s?bin|lib)\/)/, '')])];
};

/** Which package dpkg says owns each path (one dpkg-query for all of them). */
function owners(paths: string[]): Map<string, string> {
  const all = paths.flatMap(twins);
  const r = spawnSync('dpkg-query', ['-S', ...all], { encoding: 'utf8' });
  const byFile = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([^:,\s]+)(?::\S+)?: (.+)$/.exec(line);
    if (m) byFile.set(m[2]!, m[1]!);
  }
  return new Map(paths.map((p) => [p, twins(p).map((t) => byFile.get(t)).find(Boolean) ?? '(no package)']));
}

test('every command the server runs is listed with its package', () => {
  const used = new Set<string>();
  for (const file of sources(join(ROOT, 'apps/server/src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:run|spawn|execFile|execFileP|execFileSync)\(\s*'([^']+)'/g)) used.add(m[1]!);
    // Commands run through a shell line (the console's pty) are named after `exec`.
    for (const m of text.matchAll(/['`]exec ([a-z0-9.-]+)/g)) used.add(m[1]!);
  }
  assert.ok(used.size > 5, `found the commands: ${[...used].join(' ')}`);
  const unlisted = [...used].filter((c) => !(c in HOST_COMMANDS));
  assert.deepEqual(unlisted, [], 'add these to HOST_COMMANDS in requirements.ts with their Debian package');
});

test('every LXC include of every image is listed with its package', () => {
  const unlisted = IMAGE_INCLUDES.flatMap((i) => i.files).filter((f) => !(f in HOST_FILES));
  assert.deepEqual(unlisted, [], 'add these to HOST_FILES in requirements.ts');
});

test('every package the engine relies on is installed by the project scripts', () => {
  const scripted = scriptedPackages();
  const packages = new Set([...Object.values(HOST_COMMANDS), ...Object.values(HOST_FILES)]);
  const missing = [...packages].filter((p) => !scripted.has(p) && !essential(p));
  assert.deepEqual(missing, [], 'name these in an apt_install line of scripts/lib.sh');
});

test('dpkg agrees which package provides each command and file', () => {
  const wrong: string[] = [];
  const paths = new Map<string, string>(); // path → listed package
  for (const [cmd, pkg] of Object.entries(HOST_COMMANDS)) {
    const path = findCommand(cmd);
    if (!path) wrong.push(`${cmd}: not installed (scripts/test.sh installs ${pkg})`);
    else paths.set(path, pkg);
  }
  for (const [file, pkg] of Object.entries(HOST_FILES)) paths.set(file, pkg);
  const owner = owners([...paths.keys()]);
  for (const [path, pkg] of paths) if (owner.get(path) !== pkg) wrong.push(`${path}: listed as ${pkg}, owned by ${owner.get(path)}`);
  assert.deepEqual(wrong, []);
});

test('scripts/60-kumulus.conf sets every kernel limit the preflight checks, at least as high', () => {
  const conf = readFileSync(join(ROOT, 'scripts/60-kumulus.conf'), 'utf8');
  const set = new Map([...conf.matchAll(/^([a-z0-9_.]+)\s*=\s*(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
  const low = Object.entries(HOST_SYSCTLS).filter(([k, v]) => !((set.get(k) ?? 0) >= v));
  assert.deepEqual(low, []);
  assert.match(readFileSync(join(ROOT, 'scripts/lib.sh'), 'utf8'), /60-kumulus\.conf/, 'lib.sh installs the file');
});
