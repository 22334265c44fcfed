// biome-ignore-all lint/performance/useDomNodeTextContent: innerText() here is Playwright's Locator method (the rendered text, as a user reads it), not a DOM node's
/**
 * The dashboard end to end in Debian's Chromium against a real control plane with real LXC:
 * sign in, create a server with the wizard and watch it become Running, correct a refused
 * wizard and send it again, run `hostname` in the browser console, stop it, delete it; a
 * second tenant sees none of it; confirmations are the dashboard's own dialog, never the
 * browser's; the header fits one row on a phone. Screenshots of the main pages land in
 * test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { passwordProblem } from '@kumulus/api/passwords';
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
  const nativeDialogs: string[] = [];

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
    // Every confirmation is the dashboard's own dialog; a native one would be dismissed unseen.
    page.on('dialog', (d) => {
      nativeDialogs.push(d.message());
      void d.dismiss();
    });
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
    await page.getByRole('button', { name: 'Delete: old@desktop' }).click();
    await page.getByRole('dialog', { name: 'Delete the SSH key “old@desktop”?' }).getByRole('button', { name: 'Delete key' }).click();
    await page.getByRole('rowheader', { name: /old@desktop/ }).waitFor({ state: 'detached' });
    assert.deepEqual(nativeDialogs, []);
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

  test('a refused wizard, corrected, is sent again as a new request and succeeds (password rules, generate, field errors)', async () => {
    await page.goto(`${url}/servers/new`);
    await page.getByText('per hour').first().waitFor();
    // Plans come smallest first, and the preselected image is one that is ready.
    const planSpecs = await page.locator('input[name=plan]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    const plans = (await server.client.listPlans()).items;
    const bySize = [...plans].sort((a, b) => a.vcpus - b.vcpus || a.memoryMb - b.memoryMb || a.diskGb - b.diskGb).map((p) => p.name);
    assert.deepEqual(planSpecs, bySize);
    assert.equal(await page.locator('input[name=plan]').first().isChecked(), true);
    const ready = (await server.client.listImages()).items.filter((i) => i.status === 'ready').map((i) => i.name);
    const preselected = await page.locator('input[name=image]:checked').inputValue();
    assert.ok(ready.includes(preselected), `preselected image ${preselected} is not ready (ready: ${ready.join(', ')})`);
    // A name is suggested that no server has yet.
    const nameInput = page.getByLabel('Name', { exact: true });
    assert.equal(await nameInput.inputValue(), `${preselected}-1`);

    await page.getByLabel('Root password').check();
    const pw = page.getByLabel('Password', { exact: true });
    const rules = page.getByTestId('password-rules').locator('li');
    // The rules are said at the field before anything is broken.
    assert.deepEqual(await rules.allTextContents(), ['○ At least 12 characters (not met yet)', '○ Three of lower case, upper case, digits, symbols (or 16 characters) (not met yet)']);
    await pw.fill('abc');
    await nameInput.fill(NAME); // taken by the first server: refused after the password
    await page.getByRole('button', { name: 'Create server' }).click();
    // The server's refusal sits at the password field, in plain words, without "Something went wrong" or a request id.
    const pwError = page.locator('.password-field .field-error');
    await pwError.waitFor();
    assert.equal(await pwError.innerText(), 'The password is too weak. It has 3 characters; at least 12 are needed.');
    assert.equal(await pw.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByText('Something went wrong').count(), 0);
    assert.equal(await page.getByText('Request id').count(), 0);
    await screenshot(page, '03b-create-weak-password');

    // Show/hide, then generate: the rules are met and the password passes the server's own check.
    assert.equal(await pw.getAttribute('type'), 'password');
    await page.getByRole('button', { name: 'Show' }).click();
    assert.equal(await pw.getAttribute('type'), 'text');
    await page.getByRole('button', { name: 'Hide' }).click();
    assert.equal(await pw.getAttribute('type'), 'password');
    await page.getByRole('button', { name: 'Generate' }).click();
    const generated = await pw.inputValue();
    assert.equal(passwordProblem(generated), null, `generated password ${generated} breaks a rule`);
    assert.deepEqual(await rules.evaluateAll((els) => els.map((e) => e.getAttribute('data-met'))), ['true', 'true']);
    assert.equal(await pw.getAttribute('type'), 'text', 'a generated password is shown so it can be copied');
    assert.equal(await pwError.count(), 0, 'editing the field takes back its error');

    // Second attempt, another body: refused again (name taken), not "Idempotency-Key already used".
    await page.getByRole('button', { name: 'Create server' }).click();
    const nameError = page.locator('.field.invalid .field-error');
    await nameError.waitFor();
    assert.equal(await nameError.innerText(), 'This name is taken already. Choose another.');
    assert.equal(await page.getByText('Idempotency').count(), 0);

    // Third attempt with the name corrected: the server is created, once.
    await nameInput.fill('web-2');
    await page.getByRole('button', { name: 'Create server' }).click();
    await page.waitForURL(/\/servers\/srv_[0-9a-z]+$/);
    await page.getByRole('heading', { name: 'web-2' }).waitFor();
    const named = (await page.request.get(`${url}/api/v1/servers`).then((r) => r.json())) as { items: { name: string }[] };
    assert.deepEqual(named.items.map((s) => s.name).sort(), [NAME, 'web-2']);
    await page.locator('[data-testid=server-phase] [data-phase=Running]').waitFor({ timeout: 120_000 });

    // The address and MAC stay whole, each with a copy button, and the ssh line is ready to copy.
    const ip = (await page.getByTestId('server-ipv4').innerText()).split('/')[0]!;
    assert.equal(await page.getByTestId('ssh-command').innerText(), `ssh root@${ip}`);
    for (const id of ['server-ipv4', 'server-mac', 'ssh-command']) {
      const box = await page.getByTestId(id).boundingBox();
      const lineHeight = await page.getByTestId(id).evaluate((e) => Number.parseFloat(getComputedStyle(e).lineHeight) || 20);
      assert.ok(box && box.height < lineHeight * 1.6, `${id} wraps over ${box?.height}px`);
    }
    await page.getByRole('button', { name: 'Copy command' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `ssh root@${ip}`);

    // On a phone (375 px, German, the longer texts): the filter's placeholder fits, server cards are compact.
    const phone = await ctx.newPage();
    try {
      await phone.setViewportSize({ width: 375, height: 740 });
      await phone.goto(`${url}/servers`);
      await phone.getByRole('button', { name: 'Menu' }).click();
      await phone.locator('#main-nav').getByLabel('Language').selectOption('de');
      await phone.getByRole('heading', { name: 'Server' }).waitFor();
      await phone.locator('[data-testid=server-row]').nth(1).waitFor();
      const filter = phone.getByTestId('server-filter');
      const fits = await filter.evaluate((el) => {
        const input = el as HTMLInputElement;
        const cs = getComputedStyle(input);
        const ctx2d = document.createElement('canvas').getContext('2d')!;
        ctx2d.font = `${cs.fontSize} ${cs.fontFamily}`;
        const room = input.clientWidth - Number.parseFloat(cs.paddingLeft) - Number.parseFloat(cs.paddingRight);
        return { text: ctx2d.measureText(input.placeholder).width, room };
      });
      assert.ok(fits.text <= fits.room, `placeholder needs ${fits.text}px, has ${fits.room}px`);
      for (const card of await phone.locator('[data-testid=server-row]').all()) {
        const box = await card.boundingBox();
        assert.ok(box && box.height < 100, `a server card is ${box?.height}px tall`);
      }
      await screenshot(phone, '05b-servers-phone-de');
    } finally {
      // The language choice is shared by the context's pages: the other tests read English.
      await phone.evaluate(() => localStorage.setItem('kumulus.lang', 'en')).catch(() => {});
      await phone.close();
    }

    // Deleting shows Deleting at once, in the list too, until the server is gone.
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog').getByLabel(/Type the server/).fill('web-2');
    await page.getByRole('dialog').getByRole('button', { name: 'Delete server' }).click();
    await page.waitForURL(/\/servers$/);
    const row = page.getByRole('row', { name: /web-2/ });
    // A tiny server may be gone before the list is drawn; if it is listed, it is listed as Deleting.
    assert.match(await row.innerText({ timeout: 2000 }).catch(() => 'gone'), /Deleting|gone/);
    await row.waitFor({ state: 'detached', timeout: 90_000 });
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
    // xterm draws each row as its own element; only innerText separates them.
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

  test('stop the server: the notice ends with the stop, the state says Stopped and since when', async () => {
    await page.goto(`${url}/servers/${serverId}`);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.locator('[data-testid=server-phase] [data-phase=Stopped]').waitFor({ timeout: 90_000 });
    await page.getByTestId('action-notice').waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByTestId('phase-since').getByText(/^since /).waitFor();
    // Conditions in words: the server is "Stopped", never "Ready: True"; nothing raw like ImageReady.
    const ready = page.locator('[data-testid=condition][data-type=Ready]');
    assert.match(await ready.innerText(), /Stopped/);
    assert.doesNotMatch(await ready.innerText(), /True|Ready/);
    const conditions = await page.getByRole('region', { name: 'Conditions' }).innerText();
    assert.doesNotMatch(conditions, /ImageReady|True|False/);
    assert.doesNotMatch(await page.getByRole('region', { name: 'Operations' }).innerText(), /server\.(create|stop)/);
    await screenshot(page, '08-server-stopped');
  });

  test('tokens are shown once, revoked behind the dashboard’s own dialog, and the revoked secret leaves the screen', async () => {
    await page.goto(`${url}/tokens`);
    await page.getByLabel('Name').fill('ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('token-secret').textContent();
    assert.ok(secret && secret.length > 16);
    await screenshot(page, '09-tokens');
    // Cancel keeps the token; confirming revokes it, and its secret is no longer offered as "your new token".
    await page.getByRole('button', { name: 'Revoke: ci' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the token “ci”?' });
    await dialog.getByText('Scripts and the CLI using it stop working at once.').waitFor();
    await screenshot(page, '09b-token-revoke-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('rowheader', { name: 'ci' }).waitFor();
    await page.getByRole('button', { name: 'Revoke: ci' }).click();
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await page.getByRole('rowheader', { name: 'ci' }).waitFor({ state: 'detached' });
    await page.getByTestId('token-secret').waitFor({ state: 'detached' });
    assert.deepEqual(nativeDialogs, []);
  });

  test('operations: kinds in words, servers by name, a deleted one says so, filter and pages', async () => {
    await page.goto(`${url}/operations`);
    await page.locator('[data-testid=op-row]').first().waitFor();
    const table = page.locator('table.ops');
    const text = await table.innerText();
    assert.doesNotMatch(text, /server\.(create|stop|delete)|srv_/);
    assert.match(text, /Create server/);
    assert.match(text, /Stop server/);
    // web-1 is named and linked; web-2 was deleted and is said to be, not linked to an error page.
    await table.getByRole('link', { name: NAME }).first().waitFor();
    await table.getByTestId('target-deleted').first().waitFor();
    assert.equal(await table.getByRole('link', { name: 'web-2' }).count(), 0);
    await screenshot(page, '10-operations');
    await page.getByTestId('ops-filter-kind').selectOption({ label: 'Stop server' });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=op-row]')].every((r) => r.getAttribute('data-kind') === 'server.stop'));
    assert.equal(await page.locator('[data-testid=op-row]').count(), 1);
    await page.getByTestId('ops-filter-kind').selectOption({ label: 'All' });
    await page.getByTestId('ops-filter-target').selectOption({ label: NAME });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=op-row] a')].every((a) => a.textContent === 'web-1') && document.querySelectorAll('[data-testid=target-deleted]').length === 0);
    await page.getByTestId('ops-filter-target').selectOption({ label: 'All' });
    // Pages, newest first: two rows a page, "Older" shows the next two, "Newer" goes back.
    const ids = async () => page.locator('[data-testid=op-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-op-id')));
    const all = (await page.request.get(`${url}/api/v1/operations?order=desc&limit=100`).then((r) => r.json())) as { items: { id: string }[] };
    assert.ok(all.items.length >= 4, `${all.items.length} operations are too few to page`);
    const expected = all.items.map((o) => o.id);
    const firstRowIs = (id: string) => page.waitForFunction((want) => document.querySelector('[data-testid=op-row]')?.getAttribute('data-op-id') === want, id);
    await page.goto(`${url}/operations?limit=2`);
    await page.locator('[data-testid=op-row]').nth(1).waitFor();
    assert.deepEqual(await ids(), expected.slice(0, 2));
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.getByTestId('ops-page').getByText('Page 2').waitFor();
    await firstRowIs(expected[2]!);
    assert.deepEqual(await ids(), expected.slice(2, 4));
    await page.getByRole('button', { name: '← Newer' }).click();
    await page.getByTestId('ops-page').getByText('Page 1').waitFor();
    await firstRowIs(expected[0]!);
    await page.goto(`${url}/operations`);
    await page.locator('[data-testid=op-row]').nth(3).waitFor();
    // German: the same kinds in German words.
    await page.getByLabel('Language').first().selectOption('de');
    await page.getByRole('heading', { name: 'Vorgänge' }).waitFor();
    assert.match(await table.innerText(), /Server erstellen/);
    assert.match(await table.innerText(), /Server stoppen/);
    await page.getByLabel('Sprache').first().selectOption('en');
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
    await page.setViewportSize({ width: 375, height: 740 });
    // One header row: the logo and the menu button side by side, nothing wrapped under them.
    const header = await page.locator('header.topbar').boundingBox();
    const brand = await page.locator('header .brand').boundingBox();
    const menu = await page.getByRole('button', { name: 'Menü' }).boundingBox();
    assert.ok(header && brand && menu);
    assert.ok(header.height < 64, `header is ${header.height}px tall`);
    assert.ok(Math.abs(brand.y + brand.height / 2 - (menu.y + menu.height / 2)) < 8, 'logo and menu button share a row');
    assert.ok(menu.x > brand.x + brand.width, 'the menu button is right of the logo');
    await screenshot(page, '12b-servers-phone-de');
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
