/**
 * The dashboard end to end in Debian's Chromium against a real control plane with real LXC:
 * sign in, create a server with the wizard and watch it become Running, run `hostname` in
 * the browser console, stop it, delete it; a second tenant sees none of it. Screenshots of
 * the main pages land in test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../server/test/harness.ts';
import { newSshPublicKey } from '../../server/test/ssh-key.ts';
import { launchBrowser, screenshot, signIn } from './support/browser.ts';
import { ensureWebBuild } from './support/web-dist.ts';

const PASSWORD = 'Correct-Horse-Battery-9';
const NAME = 'web-1';
const HOSTNAME = 'kumulus-web1';

describe('dashboard in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let url = '';
  let ctx: BrowserContext;
  let page: Page;
  let serverId = '';
  const savedKey = newSshPublicKey('alice@acme');

  before(async () => {
    ensureWebBuild();
    server = await startTestServer();
    url = server.url;
    for (const name of ['acme', 'globex']) {
      await server.client.createTenant({ name, admin: { email: `admin@${name}.test`, password: PASSWORD } });
    }
    browser = await launchBrowser();
    ctx = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    page = await ctx.newPage();
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('sign in with a wrong password, then the right one', async () => {
    await page.goto(`${url}/servers`);
    await page.waitForURL(/\/sign-in\?next=%2Fservers/);
    await screenshot(page, '01-sign-in');
    await page.getByLabel('Email').fill('admin@acme.test');
    await page.getByLabel('Password').fill('wrong-password-123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/servers$/);
    await page.getByText('No servers yet').waitFor();
    await screenshot(page, '02-servers-empty');
  });

  test('save SSH keys (pasted and from a .pub file), rename one and delete one', async () => {
    await page.getByRole('link', { name: 'SSH keys' }).click();
    await page.getByText('No SSH keys yet').waitFor();
    const keyField = page.getByLabel('Public SSH key');
    await keyField.fill('ssh-ed25519 not-a-key');
    await page.getByRole('button', { name: 'Add SSH key' }).click();
    await page.locator('.field.invalid .field-error').first().waitFor();
    assert.equal(await keyField.getAttribute('aria-invalid'), 'true');
    await keyField.fill(savedKey);
    await page.getByRole('button', { name: 'Add SSH key' }).click();
    // Without a name the key's comment names it; the fingerprint is the one ssh-keygen -l shows.
    const row = page.getByRole('row', { name: /alice@acme/ });
    await row.getByText(/^SHA256:[A-Za-z0-9+/]{43}$/).waitFor();
    await row.getByRole('button', { name: 'Rename: alice@acme' }).click();
    await page.getByLabel('New name').fill('alice-laptop');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('rowheader', { name: /alice-laptop/ }).waitFor();

    // The private key next to it, picked by mistake, is refused and never put in the field.
    const privateKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    await page.locator('input[type=file]').setInputFiles({ name: 'id_ed25519', mimeType: 'text/plain', buffer: Buffer.from(privateKey) });
    await page.getByText('id_ed25519 is a private key').waitFor();
    assert.equal(await keyField.inputValue(), '');
    await page.locator('input[type=file]').setInputFiles({ name: 'id_ed25519.pub', mimeType: 'text/plain', buffer: Buffer.from(`${newSshPublicKey('old@desktop')}\n`) });
    // The file is read asynchronously: wait for it to land in the field.
    await page.waitForFunction(() => document.querySelector<HTMLTextAreaElement>('textarea[name=publicKey]')?.value.includes('old@desktop'));
    assert.match(await keyField.inputValue(), /^ssh-ed25519 \S+ old@desktop$/);
    await page.getByRole('button', { name: 'Add SSH key' }).click();
    await page.getByRole('rowheader', { name: /old@desktop/ }).waitFor();
    await screenshot(page, '02b-ssh-keys');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete: old@desktop' }).click();
    await page.getByRole('rowheader', { name: /old@desktop/ }).waitFor({ state: 'detached' });
    assert.deepEqual((await server.client.listSshKeys()).items, [], "the operator's tenant sees none of acme's keys");
  });

  test('create a server with the wizard, with inline validation, and watch it become Running', async () => {
    await page.getByRole('link', { name: 'Servers', exact: true }).click();
    await page.getByRole('link', { name: 'Create server' }).click();
    await page.waitForURL(/\/servers\/new$/);
    await page.getByText('per hour').first().waitFor();
    // The tenant's only saved key is picked already.
    assert.equal(await page.getByRole('checkbox', { name: /alice-laptop/ }).isChecked(), true);
    // A second, pasted key goes onto the server and is saved for next time.
    await page.getByLabel('Another public key (optional)').fill(newSshPublicKey('bob@acme'));
    assert.equal(await page.getByLabel('Save this key for my next servers').isChecked(), true);
    await page.getByLabel('Name', { exact: true }).fill('Not_A_Name');
    await page.getByLabel('Hostname').fill(HOSTNAME);
    await page.getByRole('button', { name: 'Create server' }).click();
    // The API's field error appears at the field and is tied to it for screen readers.
    const nameInput = page.getByLabel('Name', { exact: true });
    await page.locator('.field.invalid .field-error').first().waitFor();
    assert.equal(await nameInput.getAttribute('aria-invalid'), 'true');
    await screenshot(page, '03-create-validation');
    await nameInput.fill(NAME);
    await page.getByRole('button', { name: 'Create server' }).click();
    await page.waitForURL(/\/servers\/srv_[0-9a-z]+$/);
    serverId = new URL(page.url()).pathname.split('/').pop()!;
    await page.locator('[data-testid=server-phase] [data-phase=Running]').waitFor({ timeout: 180_000 });
    await page.locator('[data-testid=server-ipv4]').first().waitFor();
    await page.locator('[data-testid=server-op][data-state=succeeded]').first().waitFor();
    assert.deepEqual(await page.getByTestId('server-keys').locator('li').allInnerTexts(), ['bob@acme (ssh-ed25519)', 'alice@acme (ssh-ed25519)']);
    await screenshot(page, '04-server-detail');
    await page.getByRole('link', { name: 'All servers' }).click();
    await page.locator(`[data-server-id=${serverId}] [data-phase=Running]`).waitFor();
    await screenshot(page, '05-servers-list');
    await page.getByRole('link', { name: 'SSH keys' }).click();
    await page.getByRole('rowheader', { name: /bob@acme/ }).waitFor();
  });

  test('a second tenant cannot see the first tenant’s server', async () => {
    const other = await browser.newContext({ locale: 'de-DE', viewport: { width: 1280, height: 860 } });
    try {
      const p = await other.newPage();
      await signIn(p, url, 'admin@globex.test', PASSWORD);
      await p.getByText('Noch keine Server').waitFor();
      await p.getByRole('link', { name: 'SSH-Schlüssel' }).click();
      await p.getByText('Noch keine SSH-Schlüssel').waitFor();
      await p.goto(`${url}/servers/${serverId}`);
      await p.getByRole('heading', { name: 'Diese Seite gibt es nicht.' }).waitFor();
      // Nor its console: the handshake is refused before any socket opens.
      const opened = await p.evaluate(
        (id) =>
          new Promise<boolean>((resolve) => {
            const ws = new WebSocket(`ws://${location.host}/api/v1/servers/${id}/console`);
            ws.onopen = () => resolve(true);
            ws.onclose = () => resolve(false);
          }),
        serverId,
      );
      assert.equal(opened, false);
      assert.equal((await p.request.get(`${url}/api/v1/servers/${serverId}`)).status(), 404);
      await screenshot(p, '06-other-tenant-not-found-de');
    } finally {
      await other.close();
    }
  });

  /** The terminal's rows as text: innerText puts line breaks between xterm's row elements. */
  const terminalLines = async (p: Page) =>
    // biome-ignore lint/performance/useDomNodeTextContent: xterm draws each row as its own element; only innerText separates them
    ((await p.locator('.xterm-rows').innerText()) ?? '').split('\n').map((l) => l.trim());

  test('the console is the server’s own, with its login prompt; the root shell is a separate button', async () => {
    await page.goto(`${url}/servers/${serverId}`);
    await page.getByRole('link', { name: 'Open console' }).click();
    await page.waitForURL(/\/console$/);
    await page.locator('[data-testid=console-state][data-state=connected]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=console-mode][data-mode=console]').waitFor();
    // The guest's getty wrote its prompt before we came: Enter asks again, as on any console.
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.press('Enter');
    const deadline = Date.now() + 30_000;
    while (!(await terminalLines(page)).some((l) => /login:$/.test(l))) {
      if (Date.now() > deadline) assert.fail(`no login prompt; terminal says:\n${(await terminalLines(page)).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(!(await terminalLines(page)).some((l) => l.endsWith('#')), 'no root prompt without a login');
    await screenshot(page, '07-console-login');

    // An admin of the tenant may open a root shell instead, without a login.
    await page.getByRole('link', { name: 'Root shell instead' }).click();
    await page.waitForURL(/\/shell$/);
    await page.locator('[data-testid=console-state][data-state=connected]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => (document.querySelector('.xterm-rows')?.textContent ?? '').includes('#'), null, { timeout: 20_000 });
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('hostname');
    await page.keyboard.press('Enter');
    while (!(await terminalLines(page)).includes(HOSTNAME)) {
      if (Date.now() > deadline + 15_000) assert.fail(`hostname not shown; terminal says:\n${(await terminalLines(page)).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The saved key picked in the wizard is root's authorized key. Long lines wrap, so rows are joined.
    await page.keyboard.type('cat /root/.ssh/authorized_keys');
    await page.keyboard.press('Enter');
    const base64 = savedKey.split(' ')[1]!;
    while (!(await terminalLines(page)).join('').includes(base64)) {
      if (Date.now() > deadline + 30_000) assert.fail(`the saved key is not in authorized_keys; terminal says:\n${(await terminalLines(page)).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await screenshot(page, '07b-root-shell');
    // Leave the console page, which lets go of the guest's console for the next test.
    await page.goto(`${url}/servers/${serverId}`);
  });

  test('a member gets the login prompt and is refused the root shell', async () => {
    // The tenant's admin adds a member (through the API, as the users page is not built yet).
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@acme.test', password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const added = await fetch(`${url}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: url },
      body: JSON.stringify({ email: 'member@acme.test', password: PASSWORD, role: 'member' }),
    });
    assert.equal(added.status, 201);
    const other = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
    try {
      const p = await other.newPage();
      await signIn(p, url, 'member@acme.test', PASSWORD);
      await p.goto(`${url}/servers/${serverId}`);
      await p.getByRole('link', { name: 'Open console' }).waitFor();
      assert.equal(await p.getByRole('link', { name: 'Root shell' }).count(), 0, 'no root shell button for a member');
      await p.getByRole('link', { name: 'Open console' }).click();
      await p.locator('[data-testid=console-state][data-state=connected]').waitFor({ timeout: 30_000 });
      assert.equal(await p.getByRole('link', { name: 'Root shell instead' }).count(), 0);
      await p.locator('.xterm-helper-textarea').focus();
      await p.keyboard.press('Enter');
      const deadline = Date.now() + 30_000;
      while (!(await terminalLines(p)).some((l) => /login:$/.test(l))) {
        if (Date.now() > deadline) assert.fail(`no login prompt for the member; terminal says:\n${(await terminalLines(p)).join('\n')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // Asking for the shell by hand: the page says no, and the server refuses the socket.
      await p.goto(`${url}/servers/${serverId}/shell`);
      await p.getByRole('alert').filter({ hasText: 'Only the admins of your tenant may open a root shell' }).waitFor();
      const opened = await p.evaluate(
        (id) =>
          new Promise<boolean>((resolve) => {
            const ws = new WebSocket(`ws://${location.host}/api/v1/servers/${id}/console?mode=shell`);
            ws.onopen = () => resolve(true);
            ws.onclose = () => resolve(false);
          }),
        serverId,
      );
      assert.equal(opened, false);
      await screenshot(p, '07c-member-shell-refused');
    } finally {
      await other.close();
    }
  });

  test('stop the server', async () => {
    await page.goto(`${url}/servers/${serverId}`);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.locator('[data-testid=server-phase] [data-phase=Stopped]').waitFor({ timeout: 90_000 });
    await screenshot(page, '08-server-stopped');
  });

  test('tokens are shown once and operations are listed', async () => {
    await page.goto(`${url}/tokens`);
    await page.getByLabel('Name').fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('token-secret').textContent();
    assert.ok(secret && secret.length > 16);
    await screenshot(page, '09-tokens');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.goto(`${url}/operations`);
    await page.locator('[data-testid=op-row]').first().waitFor();
    await screenshot(page, '10-operations');
  });

  test('delete the server behind a typed confirmation', async () => {
    await page.goto(`${url}/servers/${serverId}`);
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete server' });
    assert.equal(await confirm.isDisabled(), true);
    await dialog.getByLabel(/Type the server/).fill(NAME);
    await screenshot(page, '11-delete-confirm');
    await confirm.click();
    await page.waitForURL(/\/servers$/);
    await page.locator(`[data-server-id=${serverId}]`).waitFor({ state: 'detached', timeout: 90_000 });
    await page.getByText('No servers yet').waitFor();
  });

  test('German, a phone-sized screen, and session expiry', async () => {
    await page.getByLabel('Language').first().selectOption('de');
    await page.getByRole('heading', { name: 'Server' }).waitFor();
    await screenshot(page, '12-servers-de');
    await page.setViewportSize({ width: 390, height: 780 });
    await page.goto(`${url}/servers/new`);
    await page.getByText('pro Stunde').first().waitFor();
    await screenshot(page, '13-create-phone-de');
    await page.goto(`${url}/ssh-keys`);
    await page.getByRole('rowheader', { name: /alice-laptop/ }).waitFor();
    await screenshot(page, '13b-ssh-keys-phone-de');
    await page.getByRole('button', { name: 'Menü' }).click();
    await page.getByRole('link', { name: 'Vorgänge' }).waitFor();
    await screenshot(page, '14-menu-phone-de');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByLabel('Sprache').first().selectOption('en');
    // The session ends behind the page's back: the next poll sends the user to sign-in.
    await page.goto(`${url}/operations`);
    await page.locator('[data-testid=op-row]').first().waitFor();
    await ctx.clearCookies();
    await page.waitForURL(/\/sign-in\?next=%2Foperations/, { timeout: 15_000 });
    await page.getByText('Your session has expired').waitFor();
    await screenshot(page, '15-session-expired');
    await page.getByLabel('Email').fill('admin@acme.test');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/operations$/);
  });

  test('operator views: tenants, hosts, plans and images, all operations', async () => {
    const op = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
    try {
      const p = await op.newPage();
      await signIn(p, url, server.operatorEmail, server.operatorPassword);
      await p.getByRole('link', { name: 'Tenants' }).click();
      await p.getByRole('rowheader', { name: 'globex' }).waitFor();
      await screenshot(p, '16-operator-tenants');
      // Rename a tenant in its row, then delete it behind an inline confirmation.
      await server.client.createTenant({ name: 'initech' });
      await p.getByRole('link', { name: 'Servers', exact: true }).click();
      await p.getByTestId('server-scope').selectOption('all');
      await p.getByRole('link', { name: 'Tenants' }).click();
      await p.getByRole('button', { name: 'Rename: initech' }).click();
      await p.getByLabel('New name').fill('initech-two');
      await p.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('rowheader', { name: 'initech-two' }).waitFor();
      await p.getByRole('button', { name: 'Delete: initech-two' }).click();
      await p.getByRole('group', { name: 'Delete: initech-two' }).getByRole('button', { name: 'Delete' }).click();
      await p.getByText('Tenant initech-two deleted.').waitFor();
      await p.getByRole('rowheader', { name: 'initech-two' }).waitFor({ state: 'detached' });
      await p.getByRole('link', { name: 'Hosts' }).click();
      await p.locator('meter').first().waitFor();
      // Health and overcommit are said in words, not only drawn.
      await p.locator('[data-testid=host-health]').first().waitFor();
      assert.match((await p.getByTestId('host-cpu-note').first().textContent()) ?? '', /Within capacity|overcommitted/);
      await screenshot(p, '17-operator-hosts');
      await p.getByRole('link', { name: 'Plans & images' }).click();
      await p.getByRole('heading', { name: 'Images', exact: true }).waitFor();
      await screenshot(p, '18-operator-catalog');
      await p.getByRole('link', { name: 'All operations' }).click();
      await p.locator('[data-testid=op-row]').first().waitFor();
      await screenshot(p, '19-operator-operations');
    } finally {
      await op.close();
    }
  });
});
