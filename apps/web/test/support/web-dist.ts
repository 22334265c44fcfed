/** Makes sure apps/web/dist holds a build of the current sources, which the server serves. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const WEB = resolve(import.meta.dirname, '../..');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the dashboard when dist is missing or older than src (scripts/test.sh builds it first). */
export function ensureWebBuild(): string {
  const dist = join(WEB, 'dist');
  const index = join(dist, 'index.html');
  if (!existsSync(index) || statSync(index).mtimeMs < newest(join(WEB, 'src'))) {
    execFileSync('npm', ['run', '--silent', 'build', '-w', '@kumulus/web'], { cwd: resolve(WEB, '../..'), stdio: 'ignore' });
  }
  return dist;
}
