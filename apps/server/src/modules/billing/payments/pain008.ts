import type { Seller } from '../invoices/config.ts';

/** One direct debit to collect. */
export interface Debit {
  endToEndId: string;
  amountCents: number;
  mandateId: string;
  signedOn: string;
  debtor: string;
  iban: string;
  bic: string | null;
  remittance: string;
  sequence: 'FRST' | 'RCUR';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const euro = (c: number) => `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
const sum = (ds: Debit[]) => euro(ds.reduce((a, x) => a + x.amountCents, 0));
// SEPA allows only a Latin subset in names and texts; others are replaced, as banks would refuse the file.
const sepaText = (s: string, max: number) => esc(s.replace(/[^A-Za-z0-9/?:().,'+ -]/g, (c) => ({ ä: 'ae', ö: 'oe', ü: 'ue', Ä: 'Ae', Ö: 'Oe', Ü: 'Ue', ß: 'ss' })[c] ?? ' ').slice(0, max));

/**
 * The pending debits as an ISO 20022 pain.008.001.02 file (SEPA Core direct debit) for the
 * operator's bank: one payment block per sequence type (first / recurring), the creditor and its
 * SEPA creditor id from the seller, each debit with its mandate and the tenant's payment
 * reference as remittance, so the bank's statement books it back to the tenant.
 */
export function toPain008(messageId: string, createdAt: number, collectionDate: string, seller: Seller, debits: Debit[]): string {
  const blocks = (['FRST', 'RCUR'] as const)
    .map((seq) => ({ seq, ds: debits.filter((d) => d.sequence === seq) }))
    .filter((b) => b.ds.length)
    .map(
      ({ seq, ds }) => `  <PmtInf>
      <PmtInfId>${esc(`${messageId}-${seq}`)}</PmtInfId>
      <PmtMtd>DD</PmtMtd>
      <NbOfTxs>${ds.length}</NbOfTxs>
      <CtrlSum>${sum(ds)}</CtrlSum>
      <PmtTpInf><SvcLvl><Cd>SEPA</Cd></SvcLvl><LclInstrm><Cd>CORE</Cd></LclInstrm><SeqTp>${seq}</SeqTp></PmtTpInf>
      <ReqdColltnDt>${collectionDate}</ReqdColltnDt>
      <Cdtr><Nm>${sepaText(seller.name, 70)}</Nm></Cdtr>
      <CdtrAcct><Id><IBAN>${seller.iban}</IBAN></Id></CdtrAcct>
      <CdtrAgt><FinInstnId><BIC>${seller.bic}</BIC></FinInstnId></CdtrAgt>
      <ChrgBr>SLEV</ChrgBr>
      <CdtrSchmeId><Id><PrvtId><Othr><Id>${esc(seller.creditorId)}</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></CdtrSchmeId>
${ds
  .map(
    (d) => `      <DrctDbtTxInf>
        <PmtId><EndToEndId>${esc(d.endToEndId)}</EndToEndId></PmtId>
        <InstdAmt Ccy="EUR">${euro(d.amountCents)}</InstdAmt>
        <DrctDbtTx><MndtRltdInf><MndtId>${esc(d.mandateId)}</MndtId><DtOfSgntr>${d.signedOn}</DtOfSgntr></MndtRltdInf></DrctDbtTx>
        <DbtrAgt><FinInstnId>${d.bic ? `<BIC>${d.bic}</BIC>` : '<Othr><Id>NOTPROVIDED</Id></Othr>'}</FinInstnId></DbtrAgt>
        <Dbtr><Nm>${sepaText(d.debtor, 70)}</Nm></Dbtr>
        <DbtrAcct><Id><IBAN>${d.iban}</IBAN></Id></DbtrAcct>
        <RmtInf><Ustrd>${sepaText(d.remittance, 140)}</Ustrd></RmtInf>
      </DrctDbtTxInf>`,
  )
  .join('\n')}
    </PmtInf>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02">
  <CstmrDrctDbtInitn>
    <GrpHdr>
      <MsgId>${esc(messageId)}</MsgId>
      <CreDtTm>${new Date(createdAt).toISOString().slice(0, 19)}</CreDtTm>
      <NbOfTxs>${debits.length}</NbOfTxs>
      <CtrlSum>${sum(debits)}</CtrlSum>
      <InitgPty><Nm>${sepaText(seller.name, 70)}</Nm></InitgPty>
    </GrpHdr>
${blocks}
  </CstmrDrctDbtInitn>
</Document>
`;
}
