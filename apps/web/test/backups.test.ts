// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * The backup pages in Debian's Chromium against a real control plane: the schedules page shows the
 * server's preview of a cron line as it is typed and an impossible line's error, makes a schedule
 * that appears in the list, deletes it; the backups page offers the three modes and the targets;
 * in German too.
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
    await preview.locator('li').first().waitFor();
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
    await screenshot(page, 'backup-schedules');

    await page.getByLabel('Language').first().selectOption('de');
    await page.getByRole('heading', { name: 'Backup-Zeitpläne' }).waitFor();
    await page.getByRole('heading', { name: 'Aufräum-Simulator' }).waitFor();
    await row.getByRole('button', { name: 'Löschen' }).click();
    await page.getByText('Noch keine Zeitpläne.').waitFor();
    assert.equal((await backupApi(server.client).listSchedules()).items.length, 0);
  });
});
