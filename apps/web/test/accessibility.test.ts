/**
 * Accessibility checks in Chromium that the main dashboard test does not make: axe-core's WCAG
 * 2.1 AA rules (contrast among them) in the light and the dark colour scheme, the focus ring's
 * contrast against the page (WCAG 1.4.11, 3:1), and keyboard focus kept after a server action.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { launchBrowser, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PASSWORD = 'Correct-Horse-Battery-9';

/** WCAG contrast ratio of two `rgb(…)` colours as getComputedStyle gives them. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r = 0, g = 0, bl = 0] = (c.match(/[\d.]+/g) ?? []).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** axe-core's WCAG 2.1 A/AA violations on the page as it is now, as "rule: target" lines. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary ?? ''}`));
  });
  return violations;
}

describe('dashboard accessibility in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let serverId = '';

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    await server.client.createTenant({ name: 'a11y', admin: { email: 'admin@a11y.test', password: PASSWORD } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`no WCAG 2.1 AA violations on the main pages, ${colorScheme} colour scheme`, async () => {
      const ctx = await browser.newContext({ locale: 'en-GB', colorScheme, viewport: { width: 1280, height: 860 } });
      try {
        const page = await ctx.newPage();
        await page.goto(`${server.url}/sign-in`);
        await page.getByLabel('Email').waitFor();
        assert.deepEqual(await axeViolations(page), [], 'sign-in');
        await signIn(page, server.url, 'admin@a11y.test', PASSWORD);
        // The active menu item and the primary button both put text on the primary colour.
        await page.getByRole('link', { name: 'Create server' }).waitFor();
        assert.deepEqual(await axeViolations(page), [], 'servers');
        const button = page.getByRole('link', { name: 'Create server' });
        const [fg, bg] = await button.evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]);
        assert.ok(contrast(fg!, bg!) >= 4.5, `primary button text ${fg} on ${bg}: ${contrast(fg!, bg!).toFixed(2)}:1`);
        await page.goto(`${server.url}/servers/new`);
        await page.getByText('per hour').first().waitFor();
        assert.deepEqual(await axeViolations(page), [], 'create');

        // The focus ring, drawn outside the element (outline-offset), stands against the page.
        await page.goto(`${server.url}/servers`);
        await page.getByRole('link', { name: 'Create server' }).focus();
        await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Tab');
        const ring = await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          const s = getComputedStyle(el);
          let bgEl: HTMLElement | null = el.parentElement;
          let bgColor = 'rgba(0, 0, 0, 0)';
          while (bgEl && (bgColor === 'rgba(0, 0, 0, 0)' || bgColor === 'transparent')) {
            bgColor = getComputedStyle(bgEl).backgroundColor;
            bgEl = bgEl.parentElement;
          }
          return { style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor, behind: bgColor };
        });
        assert.equal(ring.style, 'solid');
        assert.ok(contrast(ring.color, ring.behind) >= 3, `focus ring ${ring.color} on ${ring.behind}: ${contrast(ring.color, ring.behind).toFixed(2)}:1`);
        assert.ok(contrast(ring.color, 'rgb(255, 255, 255)') >= 3 || colorScheme === 'dark', 'the light ring also holds against white');
      } finally {
        await ctx.close();
      }
    });
  }

  test('after a server action keyboard focus stays on the pressed button, not the page body', async () => {
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@a11y.test', password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const made = await fetch(`${server.url}/api/v1/servers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: server.url },
      body: JSON.stringify({ name: 'focus-me', plan: 'nano', image: 'tiny' }),
    });
    serverId = ((await made.json()) as { server: { id: string } }).server.id;
    const ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
    try {
      const page = await ctx.newPage();
      await signIn(page, server.url, 'admin@a11y.test', PASSWORD);
      await page.goto(`${server.url}/servers/${serverId}`);
      await page.locator('[data-testid=server-phase] [data-phase=Running]').waitFor({ timeout: 60_000 });
      const stop = page.getByRole('button', { name: 'Stop', exact: true });
      await stop.focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=server-phase] [data-phase=Stopped]').waitFor({ timeout: 60_000 });
      const focused = await page.evaluate(() => ({ tag: document.activeElement?.tagName, text: document.activeElement?.textContent }));
      assert.deepEqual(focused, { tag: 'BUTTON', text: 'Stop' });
      assert.equal(await stop.getAttribute('aria-disabled'), 'true', 'a stopped server cannot be stopped again');
      // Pressing it now does nothing (no second operation).
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
    } finally {
      await ctx.close();
    }
    await server.client.waitOperation((await server.client.deleteServer(serverId)).id, 60);
  });
});
