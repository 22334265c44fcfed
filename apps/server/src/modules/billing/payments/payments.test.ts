/**
 * Paying in on both stores: a CAMT.053 statement with matched, unmatched, duplicate, foreign-
 * currency, debit and pending lines, imported twice; unmatched lines booked by hand; payment
 * references and IBANs checked by their digits; mandates and the pain.008 export valid against
 * its XSD.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DomainError } from '../../../lib/errors.ts';
import { createIdGenerator } from '../../../lib/ids.ts';
import { createAudit } from '../../audit/service.ts';
import { DEFAULT_INVOICING } from '../invoices/config.ts';
import { XSD, xsdErrors } from '../invoices/test-kit.ts';
import { openKit } from '../test-kit.ts';
import { parseCamt053 } from './camt.ts';
import { creditorReference, creditorReferenceValid, findCreditorReferences, ibanValid } from './mod97.ts';
import { paymentReference } from './reference.ts';
import { createSepa } from './sepa.ts';
import { createPayments } from './service.ts';

test('IBANs and creditor references are checked by their MOD 97 digits', () => {
  assert.equal(ibanValid('DE89 3704 0044 0532 0130 00'), true);
  assert.equal(ibanValid('DE89370400440532013001'), false); // one digit off
  assert.equal(ibanValid('DE8937040044053201300'), false); // too short for DE
  assert.equal(ibanValid('AT611904300234573201'), true);
  assert.equal(creditorReference('539007547034'), 'RF18539007547034'); // ISO 11649's own example
  assert.equal(creditorReferenceValid('RF18 5390 0754 7034'), true);
  assert.equal(creditorReferenceValid('RF19539007547034'), false);
  const ref = paymentReference('ten_06emcwkq80xx8n66tm5ayv306n');
  assert.match(ref, /^RF\d\dKUM[0-9A-Z]{16}$/);
  assert.equal(creditorReferenceValid(ref), true);
  assert.deepEqual(findCreditorReferences(`Credit for cloud ${ref.toLowerCase()} thanks`), [ref]);
});

/** A camt.053.001.02 statement as a bank exports it, with one entry per given line. */
function statement(id: string, entries: { ref: string; amount: string; ccy?: string; cd?: 'CRDT' | 'DBIT'; status?: string; remittance: string; batch?: { ref: string; amount: string; remittance: string }[] }[]) {
  const tx = (ref: string, amount: string, ccy: string, remittance: string) =>
    `<TxDtls><Refs><AcctSvcrRef>${ref}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="${ccy}">${amount}</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Nm>Max Müller</Nm></Dbtr></RltdPties><RmtInf><Ustrd>${remittance}</Ustrd></RmtInf></TxDtls>`;
  const ntry = entries
    .map(
      (e) =>
        `<Ntry><Amt Ccy="${e.ccy ?? 'EUR'}">${e.amount}</Amt><CdtDbtInd>${e.cd ?? 'CRDT'}</CdtDbtInd><Sts>${e.status ?? 'BOOK'}</Sts><BookgDt><Dt>2026-04-02</Dt></BookgDt><ValDt><Dt>2026-04-02</Dt></ValDt><AcctSvcrRef>${e.ref}</AcctSvcrRef><BkTxCd/><NtryDtls>${
          e.batch ? e.batch.map((b) => tx(b.ref, b.amount, 'EUR', b.remittance)).join('') : tx(e.ref, e.amount, e.ccy ?? 'EUR', e.remittance)
        }</NtryDtls></Ntry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>${id}</MsgId><CreDtTm>2026-04-02T18:00:00</CreDtTm></GrpHdr><Stmt><Id>${id}-1</Id><CreDtTm>2026-04-02T18:00:00</CreDtTm><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id></Acct>${ntry}</Stmt></BkToCstmrStmt></Document>`;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`paying in [${kind}]`, () => {
    let k: Awaited<ReturnType<typeof openKit>>;
    let payments: ReturnType<typeof createPayments>;
    let sepa: ReturnType<typeof createSepa>;
    before(async () => {
      k = await openKit(kind, Date.UTC(2026, 3, 2, 19));
      const ids = createIdGenerator(k.now);
      const audit = createAudit({ clock: k.now, ids });
      payments = createPayments({ db: k.db, clock: k.now, ids, audit, ledger: k.ledger });
      sepa = createSepa({ db: k.db, clock: k.now, ids, audit, ledger: k.ledger, seller: DEFAULT_INVOICING.seller });
    });
    after(async () => {
      await k?.close();
    });

    test('a statement books matched transfers once, lists the unmatched, skips duplicates and debits', async () => {
      const refA = paymentReference(k.tenantA);
      const refB = paymentReference(k.tenantB);
      // B's reference with one wrong check digit must not match anyone.
      const typo = `RF${String((Number(refB.slice(2, 4)) + 1) % 100).padStart(2, '0')}${refB.slice(4)}`;
      const xml = statement('STMT-2026-04-02', [
        { ref: 'BANK-0001', amount: '50.00', remittance: `Kumulus ${refA}` },
        { ref: 'BANK-0002', amount: '12.34', remittance: 'invoice INV-2026-000001 thanks' },
        { ref: 'BANK-0003', amount: '20.00', remittance: typo },
        { ref: 'BANK-0004', amount: '99.00', ccy: 'USD', remittance: refA },
        { ref: 'BANK-0005', amount: '10.00', cd: 'DBIT', remittance: 'bank fees' },
        { ref: 'BANK-0006', amount: '5.00', status: 'PDNG', remittance: refA },
        { ref: 'BATCH-7', amount: '30.00', remittance: '', batch: [{ ref: 'BANK-0007', amount: '10.00', remittance: refB }, { ref: 'BANK-0008', amount: '20.00', remittance: `${refA} top-up` }] },
      ]);
      const first = await payments.importStatement(k.operator, { xml }, 'r');
      assert.deepEqual(first.booked.map((l) => [l.bankReference, l.tenantId, l.amount.cents]), [['BANK-0001', k.tenantA, 5000], ['BANK-0007', k.tenantB, 1000], ['BANK-0008', k.tenantA, 2000]]);
      assert.deepEqual(first.unmatched.map((l) => l.bankReference), ['BANK-0002', 'BANK-0003', 'BANK-0004']);
      assert.deepEqual([first.duplicates, first.ignored], [[], 2]);
      assert.equal(await k.ledger.balance(k.db, k.tenantA), 7000 * 1_000_000);
      assert.equal(await k.ledger.balance(k.db, k.tenantB), 1000 * 1_000_000);

      // The same statement again, plus one new line: only the new line is booked.
      const second = await payments.importStatement(k.operator, { xml: statement('STMT-2026-04-02b', [{ ref: 'BANK-0001', amount: '50.00', remittance: refA }, { ref: 'BANK-0009', amount: '1.00', remittance: refB }]) }, 'r');
      assert.deepEqual([second.booked.map((l) => l.bankReference), second.duplicates], [['BANK-0009'], ['BANK-0001']]);
      const third = await payments.importStatement(k.operator, { xml }, 'r');
      assert.deepEqual([third.booked.length, third.unmatched.length, third.duplicates.length], [0, 0, 6]);
      assert.equal(await k.ledger.balance(k.db, k.tenantA), 7000 * 1_000_000);

      // The unmatched wait for the operator, who books one by hand; twice is refused, a USD line too.
      const waiting = await payments.list(k.operator, {});
      assert.deepEqual(waiting.items.map((l) => l.bankReference).sort(), ['BANK-0002', 'BANK-0003', 'BANK-0004']);
      const manual = waiting.items.find((l) => l.bankReference === 'BANK-0002')!;
      const booked = await payments.book(k.operator, manual.id, { tenantId: k.tenantB }, 'r');
      assert.equal(booked.tenantId, k.tenantB);
      assert.equal(await k.ledger.balance(k.db, k.tenantB), (1000 + 100 + 1234) * 1_000_000);
      await assert.rejects(payments.book(k.operator, manual.id, { tenantId: k.tenantB }, 'r'), (e: DomainError) => e.code === 'BANK_LINE_BOOKED');
      const usd = waiting.items.find((l) => l.bankReference === 'BANK-0004')!;
      await assert.rejects(payments.book(k.operator, usd.id, { tenantId: k.tenantA }, 'r'), (e: DomainError) => e.code === 'CURRENCY_MISMATCH' && e.details[0]?.field === 'currency');
      await assert.rejects(payments.book(k.operator, 'bkl_00000000000000000000000000', { tenantId: k.tenantA }, 'r'), (e: DomainError) => e.code === 'BANK_LINE_NOT_FOUND');
      await assert.rejects(payments.importStatement(k.member(k.tenantA), { xml }, 'r'), (e: DomainError) => e.code === 'FORBIDDEN');
      assert.equal((await payments.list(k.operator, {})).items.length, 2);
    });

    test('what is not a CAMT.053 statement is refused with the field named, and books nothing', async () => {
      const before = await k.ledger.balance(k.db, k.tenantA);
      for (const [xml, reason] of [
        ['not xml at all', /well-formed/],
        ['<?xml version="1.0"?><Invoice/>', /no ISO 20022 Document/],
        ['<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn/></Document>', /camt\.054/],
        ['<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><Other/></Document>', /BkToCstmrStmt/],
      ] as const) {
        await assert.rejects(payments.importStatement(k.operator, { xml }, 'r'), (e: DomainError) => e.code === 'NOT_CAMT053' && e.details[0]?.field === 'xml' && reason.test(String((e.params.reason as string) ?? '')));
      }
      assert.equal(await k.ledger.balance(k.db, k.tenantA), before);
      // Newer versions carry status as a code and the debtor inside a party: read alike.
      const v8 = statement('S8', [{ ref: 'X1', amount: '1.00', remittance: 'r' }]).replace('camt.053.001.02', 'camt.053.001.08').replace('<Sts>BOOK</Sts>', '<Sts><Cd>BOOK</Cd></Sts>');
      assert.equal(parseCamt053(v8).lines.length, 1);
    });

    test('mandates are checked, and the debits due export as a valid pain.008.001.02 file', async () => {
      const good = { mandateId: 'KUM-MANDATE-0001', signedOn: '2026-03-15', iban: 'DE89 3704 0044 0532 0130 00', bic: 'COBADEFFXXX', holder: 'Max Müller', amount: '25.00' };
      const refused = async (body: object, code: string, field: string) => assert.rejects(sepa.set(k.operator, { tenantId: k.tenantA, ...good, ...body }, 'r'), (e: DomainError) => e.code === code && e.details[0]?.field === field);
      await refused({ iban: 'DE89370400440532013001' }, 'INVALID_IBAN', 'iban');
      await refused({ bic: 'NOTABIC' }, 'INVALID_MANDATE', 'bic');
      await refused({ mandateId: 'ü'.repeat(3) }, 'INVALID_MANDATE', 'mandateId');
      await refused({ signedOn: '2027-01-01' }, 'INVALID_MANDATE', 'signedOn');
      await refused({ amount: '0' }, 'INVALID_AMOUNT', 'amount');
      await refused({ amount: '-5.00' }, 'INVALID_AMOUNT', 'amount');
      await assert.rejects(sepa.set(k.member(k.tenantA), good, 'r'), (e: DomainError) => e.code === 'FORBIDDEN');
      // A's credit (70 €) is below its mandate's 100 €, so 100 € are debited; B has no mandate.
      const m = await sepa.set(k.operator, { tenantId: k.tenantA, ...good, amount: '100.00' }, 'r');
      assert.equal(m.iban, 'DE89370400440532013000');
      const out = await sepa.exportDebits(k.operator, { collectionDate: '2026-04-06' }, 'r');
      assert.deepEqual([out.count, out.total.cents], [1, 10000]);
      assert.equal(xsdErrors(out.xml!, XSD.pain008), null);
      assert.match(out.xml!, /<SeqTp>FRST<\/SeqTp>/);
      assert.match(out.xml!, new RegExp(`<Ustrd>${paymentReference(k.tenantA)} `));
      // Exported once per date; a later date collects again as a recurring debit.
      assert.equal((await sepa.exportDebits(k.operator, { collectionDate: '2026-04-06' }, 'r')).xml, null);
      const later = await sepa.exportDebits(k.operator, { collectionDate: '2026-05-06' }, 'r');
      assert.match(later.xml!, /<SeqTp>RCUR<\/SeqTp>/);
      assert.equal(xsdErrors(later.xml!, XSD.pain008), null);
      assert.match(xsdErrors(later.xml!.replace('<ChrgBr>SLEV</ChrgBr>', '<ChrgBr>NONE</ChrgBr>'), XSD.pain008) ?? '', /ChrgBr/);
      await assert.rejects(sepa.exportDebits(k.operator, { collectionDate: '2020-01-01' }, 'r'), (e: DomainError) => e.details[0]?.field === 'collectionDate');
    });
  });
}
