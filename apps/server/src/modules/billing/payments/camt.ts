import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomainError } from '../../../lib/errors.ts';
import { parseEuro, UC_PER_CENT } from '../money.ts';

/** One incoming credit transfer of a statement, as the import books or lists it. */
export interface StatementLine {
  /** The bank's own reference of the transaction: the same payment always carries the same one. */
  bankReference: string;
  bookedOn: string;
  /** The amount as the bank wrote it ("120.00"); cents when it has at most two places. */
  amount: string;
  amountCents: number | null;
  currency: string;
  debtor: string;
  remittance: string;
}

/** A parsed statement: its id and its booked incoming transfers; debits and pending entries are counted only. */
export interface Statement {
  id: string;
  lines: StatementLine[];
  ignored: number;
}

const notCamt = (reason: string) => new DomainError('NOT_CAMT053', { field: 'xml', reason }, [{ field: 'xml', message: { en: `is not a camt.053 statement: ${reason}`, de: `ist kein camt.053-Auszug: ${reason}` } }]);

type Node = Record<string, unknown>;
const list = <T = Node>(v: unknown): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]) as T[];
/** Text of an element that may carry attributes (then fast-xml-parser gives `#text`). */
const text = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'object' ? String((v as Node)['#text'] ?? '') : String(v));
const get = (n: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Node)[k] : undefined), n);

/**
 * Reads an ISO 20022 bank-to-customer statement (camt.053, any version 001.02 to 001.13) and
 * answers its booked incoming transfers, one per transaction detail (a batch entry holds several).
 */
export function parseCamt053(xml: string): Statement {
  if (XMLValidator.validate(xml) !== true) throw notCamt('not well-formed XML');
  const ns = /<(?:[\w-]+:)?Document\b[^>]*\bxmlns(?::[\w-]+)?="urn:iso:std:iso:20022:tech:xsd:(camt\.\d{3})\.\d{3}\.\d{2}"/.exec(xml);
  if (!ns) throw notCamt('no ISO 20022 Document');
  if (ns[1] !== 'camt.053') throw notCamt(`it is ${ns[1]}`);
  const doc = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false }).parse(xml) as Node;
  const root = get(doc, 'Document', 'BkToCstmrStmt');
  if (!root) throw notCamt('no BkToCstmrStmt');
  const statements = list(get(root, 'Stmt'));
  if (!statements.length) throw notCamt('no Stmt');
  const lines: StatementLine[] = [];
  let ignored = 0;
  const id = text(get(root, 'GrpHdr', 'MsgId')) || text(get(statements[0], 'Id'));
  for (const stmt of statements) {
    const stmtId = text(get(stmt, 'Id'));
    list(get(stmt, 'Ntry')).forEach((entry, e) => {
      const status = text(get(entry, 'Sts', 'Cd')) || text(get(entry, 'Sts'));
      if (text(get(entry, 'CdtDbtInd')) !== 'CRDT' || status !== 'BOOK') {
        ignored++;
        return;
      }
      const bookedOn = text(get(entry, 'BookgDt', 'Dt')) || text(get(entry, 'BookgDt', 'DtTm')).slice(0, 10);
      const txs = list(get(entry, 'NtryDtls')).flatMap((d) => list(get(d, 'TxDtls')));
      const details = txs.length ? txs : [{}];
      details.forEach((tx, i) => {
        const amt = get(tx, 'AmtDtls', 'TxAmt', 'Amt') ?? get(tx, 'Amt') ?? (details.length === 1 ? get(entry, 'Amt') : undefined);
        const amount = text(amt);
        const currency = amt && typeof amt === 'object' ? String((amt as Node)['@Ccy'] ?? '') : '';
        const entryRef = text(get(entry, 'AcctSvcrRef'));
        const e2e = text(get(tx, 'Refs', 'EndToEndId'));
        const bankReference =
          text(get(tx, 'Refs', 'AcctSvcrRef')) ||
          (entryRef ? (details.length > 1 ? `${entryRef}/${i + 1}` : entryRef) : '') ||
          (e2e && e2e !== 'NOTPROVIDED' ? e2e : '') ||
          `${stmtId}/${text(get(entry, 'NtryRef')) || e + 1}/${i + 1}`;
        const remittance = [...list<unknown>(get(tx, 'RmtInf', 'Ustrd')).map(text), ...list(get(tx, 'RmtInf', 'Strd')).map((s) => text(get(s, 'CdtrRefInf', 'Ref')))].filter(Boolean).join(' ');
        const debtor = text(get(tx, 'RltdPties', 'Dbtr', 'Nm')) || text(get(tx, 'RltdPties', 'Dbtr', 'Pty', 'Nm'));
        const uc = parseEuro(amount);
        const cents = uc !== null && uc > 0 && uc % UC_PER_CENT === 0 ? uc / UC_PER_CENT : null;
        lines.push({ bankReference, bookedOn, amount, amountCents: cents, currency, debtor, remittance });
      });
    });
  }
  return { id, lines, ignored };
}
