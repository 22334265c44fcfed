import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { cents, type InvoiceDocument, isoDay, percent, unitEuro } from './document.ts';

// DejaVu from its npm package: the same glyphs (umlauts, €) on every host, no system fonts needed.
const FONTS = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

const perUnit = (seconds: number) => (seconds === 3600 ? 'h' : seconds === 2_628_000 ? 'Monat/month' : `${seconds} s`);

/**
 * Renders an issued invoice or credit note as a PDF (A4, German and English labels). The PDF is
 * drawn from the stored, immutable rows only, with the issue time as its creation date, so the
 * same invoice always gives the same document.
 */
export function toPdf(doc: InvoiceDocument): Promise<Buffer> {
  const { row, lines, buyer, seller } = doc;
  const credit = row.kind === 'credit_note';
  const pdf = new PDFDocument({ size: 'A4', margin: 50, info: { Title: row.number, Author: seller.name, CreationDate: new Date(Number(row.issued_at)) } });
  pdf.registerFont('regular', join(FONTS, 'DejaVuSans.ttf'));
  pdf.registerFont('bold', join(FONTS, 'DejaVuSans-Bold.ttf'));
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  pdf.font('regular').fontSize(8).text(`${seller.name} · ${seller.street} · ${seller.postcode} ${seller.city} · ${seller.country}`);
  pdf.moveDown(1).fontSize(10).text([buyer.name, buyer.street, `${buyer.postcode} ${buyer.city}`.trim(), buyer.country].filter(Boolean).join('\n'));
  if (buyer.vatId) pdf.text(`USt-IdNr./VAT id: ${buyer.vatId}`);
  pdf.moveDown(2).font('bold').fontSize(16).text(credit ? `Gutschrift / Credit note ${row.number}` : `Rechnung / Invoice ${row.number}`);
  pdf.font('regular').fontSize(9).moveDown(0.5);
  pdf.text(`Rechnungsdatum / Date: ${isoDay(row.issued_at)}`);
  pdf.text(`Leistungszeitraum / Period: ${isoDay(row.period_start)} – ${isoDay(Number(row.period_end) - 1)}`);
  if (doc.corrects) pdf.text(`Korrigiert Rechnung / Corrects invoice ${doc.corrects.number} (${isoDay(doc.corrects.issuedAt)})`);
  if (row.note) pdf.text(`Grund / Reason: ${row.note}`);
  pdf.moveDown(1);

  const x = { pos: 50, text: 75, qty: 330, price: 400, net: 480 };
  const header = (y: number) => {
    pdf.font('bold').fontSize(8);
    pdf.text('#', x.pos, y).text('Leistung / Item', x.text, y).text('Menge / Qty', x.qty, y).text('Preis / Price', x.price, y).text('Netto / Net EUR', x.net, y, { width: 65, align: 'right' });
    pdf.font('regular');
  };
  header(pdf.y);
  pdf.moveDown(0.5);
  for (const l of lines) {
    if (pdf.y > 740) {
      pdf.addPage();
      header(50);
      pdf.moveDown(0.5);
    }
    const y = pdf.y;
    const hours = Number(l.seconds) / 3600;
    pdf.text(String(l.position), x.pos, y);
    pdf.text(l.description, x.text, y, { width: 250 });
    const after = pdf.y;
    if (Number(l.unit_seconds) > 0) {
      pdf.text(`${l.seconds} s (${hours.toFixed(2)} h)`, x.qty, y, { width: 68 });
      pdf.text(`${unitEuro(l.unit_price_uc)} / ${perUnit(Number(l.unit_seconds))}`, x.price, y, { width: 78 });
    }
    pdf.text(cents(l.net_cents), x.net, y, { width: 65, align: 'right' });
    pdf.y = Math.max(after, pdf.y) + 4;
  }
  pdf.moveDown(1);
  const total = (label: string, c: number, bold = false) => {
    const y = pdf.y;
    pdf.font(bold ? 'bold' : 'regular').text(label, x.price - 100, y, { width: 170 }).text(cents(c), x.net, y, { width: 65, align: 'right' });
  };
  total('Summe netto / Net total', Number(row.net_cents));
  total(`USt. / VAT ${percent(row.vat_rate_bp)} % (${row.vat_category})`, Number(row.tax_cents));
  total(credit ? 'Gutschrift brutto / Credit total' : 'Rechnungsbetrag / Total due', Number(row.gross_cents), true);
  pdf.font('regular').fontSize(8).moveDown(2);
  pdf.x = 50;
  if (row.vat_note) pdf.text(row.vat_note, 50, pdf.y, { width: 495 });
  if (!credit) {
    const due = isoDay(Number(row.issued_at) + doc.dueDays * 86_400_000);
    pdf.moveDown(0.5).text(`Zahlbar bis / Due by ${due}: IBAN ${seller.iban}, BIC ${seller.bic}, Verwendungszweck / Reference ${buyer.paymentReference}`, 50, pdf.y, { width: 495 });
  }
  pdf.moveDown(0.5).text(`${seller.name} · USt-IdNr./VAT id ${seller.vatId} · ${seller.email}`, 50, pdf.y, { width: 495 });
  pdf.end();
  return done;
}
