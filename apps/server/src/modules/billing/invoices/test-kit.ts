/** The billing test kit with invoicing on top: issuer, profiles and the invoicing service on the kit's clock. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inflateSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { createAudit } from '../../audit/service.ts';
import { createIdGenerator } from '../../../lib/ids.ts';
import { openKit } from '../test-kit.ts';
import { DEFAULT_INVOICING } from './config.ts';
import { createIssuer } from './issue.ts';
import { createBilling } from '../service.ts';
import { createProfiles, tenantVatRate } from './profile.ts';
import { createInvoicing } from './service.ts';

/** Opens the billing kit and adds invoicing; `failOnNumber` makes the next issuing fail once after its number is taken. */
export async function openInvoiceKit(kind: 'sqlite' | 'postgres', start?: number) {
  const k = await openKit(kind, start);
  const ids = createIdGenerator(k.now);
  const profiles = createProfiles({ clock: k.now, vat: DEFAULT_INVOICING.vat });
  let failNext = false;
  const issuer = createIssuer({
    db: k.db,
    clock: k.now,
    ids,
    ledger: k.ledger,
    profiles,
    config: DEFAULT_INVOICING,
    settle: () => k.meterAll(),
    onNumber: () => {
      if (failNext) {
        failNext = false;
        throw new Error('killed after taking a number');
      }
    },
  });
  const audit = createAudit({ clock: k.now, ids });
  const invoicing = createInvoicing({ db: k.db, audit, issuer, profiles, config: DEFAULT_INVOICING });
  // The cost monitor as serve wires it: reserving the VAT the tenant's invoices will carry.
  const billing = createBilling({ db: k.db, clock: k.now, ids, audit, ledger: k.ledger, prices: k.prices, metering: k.metering, vatRateBp: tenantVatRate(profiles, DEFAULT_INVOICING) });
  return { ...k, billing, ids, profiles, issuer, invoicing, failOnNumber: () => (failNext = true) };
}

/** The vendored XSDs of the tests (see test/fixtures/xsd/README.md). */
export const XSD = {
  cii: resolve(import.meta.dirname, '../../../../test/fixtures/xsd/cii-d16b/CrossIndustryInvoice_100pD16B.xsd'),
  pain008: resolve(import.meta.dirname, '../../../../test/fixtures/xsd/iso20022/pain.008.001.02.xsd'),
};

/** Validates XML against an XSD with xmllint (libxml2-utils); answers xmllint's complaint, or null when valid. */
export function xsdErrors(xml: string, xsd: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'kum-xsd-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, xml);
    execFileSync('xmllint', ['--noout', '--schema', xsd, file], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files embedded in a PDF (its /EmbeddedFile streams, inflated), read from the bytes themselves. */
export function embeddedFiles(pdf: Buffer): string[] {
  const text = pdf.toString('latin1');
  const out: string[] = [];
  for (let at = text.indexOf('/Type /EmbeddedFile'); at >= 0; at = text.indexOf('/Type /EmbeddedFile', at + 1)) {
    const dictEnd = text.indexOf('>>\nstream\n', at);
    const dict = text.slice(text.lastIndexOf('obj', at), dictEnd);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
    const start = dictEnd + '>>\nstream\n'.length;
    const body = pdf.subarray(start, start + length);
    out.push((dict.includes('/FlateDecode') ? inflateSync(body) : body).toString('utf8'));
  }
  return out;
}
