// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * The backup pages in Debian's Chromium against a real control plane: the schedules page shows the
 * server's preview of a cron line as it is typed and an impossible line's error, makes a schedule
 * that appears in the list, deletes it; the backups page offers the three modes and the targets,
 * pages real backups, filters them by status and by a label selector the API applies, and asks
 * for a restore in the dashboard's own dialog; in German too.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backupApi } from '@kumulus/api';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

describe('backup pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    await backupApi(server.client).createTarget({ name: 'here', kind: 'dir', path: join(server.dataDir, 'bk'), default: true });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC', viewport: { width: 1280, height: 900 } })).newPage();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('schedules: live preview, an impossible line refused, made, listed, deleted; backups page modes and targets; in German', async () => {
    await signIn(page, server.url, server.operatorEmail, server.operatorPassword);
    await page.getByRole('link', { name: 'Backups', exact: true }).click();
    await page.waitForURL(/\/backups$/);
    const modes = await page.getByLabel('Mode').locator('option').allInnerTexts();
    assert.deepEqual(modes, ['Snapshot (keeps running)', 'Suspend (frozen while copied)', 'Stop for the copy']);
    await page.locator('[data-testid="backup-target"]', { hasText: 'here' }).getByText('Reachable').waitFor();

    await page.getByRole('link', { name: 'Backup schedules' }).click();
    await page.waitForURL(/\/backup-schedules$/);
    await page.getByText('No schedules yet.').waitFor();
    await page.getByLabel('Time zone').fill('UTC');
    await page.getByLabel('Cron line').fill('15 4 * * 1');
    const preview = page.getByTestId('schedule-preview');
    // The preview follows the typing: wait for the new line's runs, not for the default line's still shown.
    await preview.locator('li', { hasText: '04:15' }).first().waitFor();
    assert.equal(await preview.locator('li').count(), 5);
    assert.ok((await preview.locator('li').allInnerTexts()).every((x) => x.includes('04:15')), await preview.innerText());
    await page.getByLabel('Cron line').fill('0 0 31 2 *');
    await preview.getByText(/never/).waitFor();

    await page.getByLabel('Cron line').fill('0 3 * * *');
    await page.getByLabel('Name', { exact: true }).fill('nightly');
    await page.getByLabel('Server or selector').fill('backup=nightly');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    const row = page.getByTestId('schedule').filter({ hasText: 'nightly' });
    await row.waitFor();
    assert.match(await row.innerText(), /backup=nightly/);
    assert.match(await row.innerText(), /last 3, daily 7/);
    // Turned off and on again from the list: the API's schedule follows the box.
    // A controlled box: it shows the API's state once the list reloads, so it is clicked, not unchecked.
    await row.getByLabel('On').click();
    for (let i = 0; i < 50 && (await backupApi(server.client).listSchedules()).items[0]?.enabled !== false; i++) await page.waitForTimeout(100);
    assert.equal((await backupApi(server.client).listSchedules()).items[0]?.enabled, false);
    await row.getByLabel('On').click();
    for (let i = 0; i < 50 && (await backupApi(server.client).listSchedules()).items[0]?.enabled !== true; i++) await page.waitForTimeout(100);
    assert.equal((await backupApi(server.client).listSchedules()).items[0]?.enabled, true);
    await page.waitForFunction(() => (document.querySelector('[data-testid="schedule"] input[type="checkbox"]') as HTMLInputElement | null)?.checked === true);
    await screenshot(page, 'backup-schedules');

    await page.getByLabel('Language').first().selectOption('de');
    await page.getByRole('heading', { name: 'Backup-Zeitpläne' }).waitFor();
    await page.getByRole('heading', { name: 'Aufräum-Simulator' }).waitFor();
    await row.getByRole('button', { name: 'Löschen' }).click();
    await page.getByText('Noch keine Zeitpläne.').waitFor();
    assert.equal((await backupApi(server.client).listSchedules()).items.length, 0);
  });

  test('backups: paged, filtered by status and labels, sorted by server; a restore as a new server asked in the dialog', async () => {
    const c = server.client;
    const api = backupApi(c);
    const made = await Promise.all(['bk-a', 'bk-b'].map((name) => c.createServer({ name, plan: 'nano', image: 'tiny' })));
    for (const m of made) assert.equal((await c.waitOperation(m.operation.id, 60)).state, 'succeeded');
    const taken = await Promise.all([api.create('bk-a', { mode: 'snapshot', labels: { keep: 'monthly' } }), api.create('bk-b', { mode: 'snapshot' })]);
    for (const b of taken) assert.equal((await c.waitOperation(b.operation.id, 120)).state, 'succeeded');

    const tab = await (await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC', viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(tab, server.url, server.operatorEmail, server.operatorPassword);
    await tab.getByRole('link', { name: 'Backups', exact: true }).click();
    await tab.waitForURL(/\/backups$/);
    const rows = tab.getByTestId('backup');
    await rows.nth(1).waitFor();
    assert.match(await tab.getByTestId('list-where').innerText(), /Page 1 of 1 · 2 entries/);
    // The operator's overdue report: no schedule here, so the all-clear.
    assert.match(await tab.getByTestId('overdue-none').innerText(), /Every scheduled server has a verified backup/);
    assert.match(await rows.filter({ hasText: 'bk-a' }).innerText(), /keep=monthly/);
    assert.match(await rows.filter({ hasText: 'bk-a' }).innerText(), /Ready/);
    await tab.getByRole('button', { name: 'Server', exact: true }).click();
    await tab.waitForFunction(() => document.querySelector('[data-testid="backup"] th')?.textContent?.trim() === 'bk-a');
    await tab.getByRole('button', { name: 'Server', exact: true }).click();
    await tab.waitForFunction(() => document.querySelector('[data-testid="backup"] th')?.textContent?.trim() === 'bk-b');

    await tab.getByTestId('list-status').selectOption('Failed');
    await tab.getByText('No backup matches this filter.').waitFor();
    await tab.getByTestId('list-status').selectOption('Ready');
    await rows.nth(1).waitFor();
    await tab.getByTestId('list-selector').fill('keep=monthly');
    await tab.getByRole('button', { name: 'Apply selector' }).click();
    await tab.waitForFunction(() => document.querySelectorAll('[data-testid="backup"]').length === 1);
    assert.match(await rows.first().innerText(), /bk-a/);

    // A restore as a new server is asked in the dashboard's dialog, with the new server's name.
    await rows.first().getByRole('button', { name: 'Restore as new server' }).click();
    const dialog = tab.getByRole('dialog');
    await dialog.getByLabel('Name of the new server').fill('bk-a-copy');
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await tab.getByText('Restore into bk-a-copy started.').waitFor();
    const copy = await c.getServer('bk-a-copy');
    for (let i = 0; i < 600 && (await api.get(taken[0]!.backup.id)).status.phase !== 'Ready'; i++) await tab.waitForTimeout(200);
    await screenshot(tab, 'backups-list');

    await tab.getByLabel('Language').first().selectOption('de');
    await tab.getByRole('heading', { name: 'Backups', exact: true }).waitFor();
    assert.match(await rows.first().innerText(), /Bereit/);
    assert.deepEqual(await tab.getByTestId('list-status').locator('option').first().innerText(), 'Alle Status');
    await tab.getByRole('heading', { name: 'Überfällige Backups' }).waitFor();
    await tab.getByLabel('Sprache').first().selectOption('en');
    for (const id of [copy.id, ...made.map((m) => m.server.id)]) await c.waitOperation((await c.deleteServer(id)).id, 90);
  });
});
