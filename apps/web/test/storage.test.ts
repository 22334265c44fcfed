// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * Storage in the dashboard, in Debian's Chromium against a real control plane with real LXC: the
 * server page's snapshots (take one, roll back behind the typed name, a new server from one) and volumes (the volumes
 * page's create, grow and delete behind the typed name; attach and detach on the server page).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Operation, Snapshot } from '@kumulus/api';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

const PASSWORD = 'Correct-Horse-Battery-9';

describe('server storage in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let serverId = '';

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    await server.client.createTenant({ name: 'snapco', admin: { email: 'admin@snapco.test', password: PASSWORD } });
    browser = await launchBrowser();
    page = await (await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } })).newPage();
  });
  after(async () => {
    if (serverId) await page.request.delete(`${server.url}/api/v1/servers/${serverId}`, { headers: { origin: server.url } }).catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  /** The API as the signed-in user (the page's session cookie). */
  const call = async <T>(method: 'GET' | 'POST', path: string, data?: unknown): Promise<T> => {
    const res = await page.request.fetch(`${server.url}/api/v1${path}`, { method, headers: { origin: server.url }, ...(data ? { data } : {}) });
    assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`);
    return (await res.json()) as T;
  };

  test('take a snapshot, then roll back only once its name is typed', async () => {
    await signIn(page, server.url, 'admin@snapco.test', PASSWORD);
    const made = await call<{ server: { id: string }; operation: Operation }>('POST', '/servers', { name: 'snap-web', plan: 'nano', image: 'tiny' });
    serverId = made.server.id;
    assert.equal((await call<Operation>('GET', `/operations/${made.operation.id}/wait?timeout=90`)).state, 'succeeded');

    await page.goto(`${server.url}/servers/${serverId}`);
    const card = page.getByRole('region', { name: 'Snapshots' });
    await card.getByText('No snapshots yet.').waitFor();
    await card.getByLabel('New snapshot').fill('first');
    await card.getByRole('button', { name: 'Take snapshot' }).click();
    const row = card.getByTestId('snapshot').filter({ hasText: 'first' });
    await row.and(page.locator('[data-phase="Ready"]')).waitFor({ timeout: 60_000 });
    assert.match(await row.innerText(), /MiB/);

    await row.getByRole('button', { name: 'Roll back' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back to snapshot first?' });
    const confirm = dialog.getByRole('button', { name: 'Roll back' });
    assert.equal(await confirm.isDisabled(), true, 'disabled before the name is typed');
    await dialog.getByLabel('Type the snapshot’s name “first” to confirm').fill('firs');
    assert.equal(await confirm.isDisabled(), true, 'disabled for a wrong name');
    await dialog.getByLabel('Type the snapshot’s name “first” to confirm').fill('first');
    await screenshot(page, 'snapshot-rollback');
    await confirm.click();
    await dialog.waitFor({ state: 'detached' });
    const snaps = async () => (await call<{ items: Snapshot[] }>('GET', `/servers/${serverId}/snapshots`)).items;
    for (let i = 0; i < 240 && (await snaps())[0]?.status.rollbacksDone !== 1; i++) await page.waitForTimeout(250);
    assert.equal((await snaps())[0]?.status.rollbacksDone, 1, 'the rollback was done');
    await row.and(page.locator('[data-phase="Ready"]')).waitFor({ timeout: 60_000 });

    // A new server from the snapshot: its name asked in the dialog, a link to it once accepted.
    await row.getByRole('button', { name: 'New server from it' }).click();
    const clone = page.getByRole('dialog', { name: 'A new server from snapshot first' });
    assert.equal(await clone.getByLabel('Name of the new server').inputValue(), 'first-copy');
    await clone.getByLabel('Name of the new server').fill('snap-web-copy');
    await clone.getByRole('button', { name: 'New server from it' }).click();
    await card.getByRole('link', { name: 'snap-web-copy' }).click();
    await page.waitForURL(/\/servers\/srv_/);
    await page.getByRole('heading', { name: 'snap-web-copy' }).waitFor();
    const copyId = new URL(page.url()).pathname.split('/').pop()!;
    for (let i = 0; i < 240 && (await call<{ status: { phase: string } }>('GET', `/servers/${copyId}`)).status.phase !== 'Running'; i++) await page.waitForTimeout(250);
    assert.equal((await call<{ status: { phase: string } }>('GET', `/servers/${copyId}`)).status.phase, 'Running');
    await page.request.delete(`${server.url}/api/v1/servers/${copyId}`, { headers: { origin: server.url } });
  });

  test('volumes page: create, grow, attach and detach from the server page, delete behind the typed name', async () => {
    await page.goto(`${server.url}/volumes`);
    await page.getByLabel('Name').fill('webvol');
    await page.getByLabel('Size (GB)').fill('1');
    await page.getByRole('button', { name: 'Create volume' }).click();
    const row = page.getByTestId('volume').filter({ hasText: 'webvol' });
    await row.and(page.locator('[data-phase="Available"]')).waitFor({ timeout: 60_000 });
    await row.getByLabel('New size of webvol in GB').fill('2');
    await row.getByRole('button', { name: 'Grow' }).click();
    await row.getByText('2 GB').waitFor({ timeout: 60_000 });

    await page.goto(`${server.url}/servers/${serverId}`);
    const card = page.getByRole('region', { name: 'Volumes' });
    await card.getByLabel('Attach a volume').selectOption({ label: 'webvol (2 GB)' });
    await card.getByRole('button', { name: 'Attach' }).click();
    const attached = card.getByTestId('server-volume').filter({ hasText: 'webvol' });
    await attached.and(page.locator('[data-phase="Attached"]')).waitFor({ timeout: 60_000 });
    assert.match(await attached.innerText(), /\/mnt\/webvol/);
    await screenshot(page, 'server-volumes');
    await attached.getByRole('button', { name: 'Detach' }).click();
    await card.getByText('No volume is attached.').waitFor({ timeout: 60_000 });

    await page.goto(`${server.url}/volumes`);
    await row.and(page.locator('[data-phase="Available"]')).waitFor({ timeout: 60_000 });
    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete volume webvol?' });
    const confirm = dialog.getByRole('button', { name: 'Delete' });
    assert.equal(await confirm.isDisabled(), true, 'disabled before the name is typed');
    await dialog.getByLabel('Type the volume’s name “webvol” to confirm').fill('webvol');
    await confirm.click();
    await page.getByText('No volumes yet.').waitFor({ timeout: 60_000 });
  });
});
