import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { cents, type InvoiceDocument, isoDay, percent, unitEuro } from './document.ts';

// DejaVu from its npm package: the same glyphs (umlauts, €) on every host, no system fonts needed.
const FONTS = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

const perUnit = (seconds: number) => (seconds === 3600 ? 'h' : seconds === 2_628_000 ? 'Monat/month' : `${seconds} s`);

/** The name ZUGFeRD 2.3 / Factur-X 1.07 give the embedded XML of the XRechnung profile. */
export const EMBEDDED_XML = 'xrechnung.xml';

/**
 * The XMP that names the embedded invoice (Factur-X/ZUGFeRD: document type, file name, version and
 * profile), with the extension schema PDF/A requires for a namespace it does not know.
 */
const FACTURX_XMP = `
        <rdf:Description xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" rdf:about="">
            <fx:DocumentType>INVOICE</fx:DocumentType>
            <fx:DocumentFileName>${EMBEDDED_XML}</fx:DocumentFileName>
            <fx:Version>1.0</fx:Version>
            <fx:ConformanceLevel>XRECHNUNG</fx:ConformanceLevel>
        </rdf:Description>
        <rdf:Description xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#" rdf:about="">
            <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
                <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
                <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
                <pdfaSchema:prefix>fx</pdfaSchema:prefix>
                <pdfaSchema:property><rdf:Seq>
                    <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentFileName</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>name of the embedded XML invoice file</pdfaProperty:description></rdf:li>
                    <rdf:li rdf:parseType="Resource"><pdfaProperty:name>DocumentType</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>INVOICE</pdfaProperty:description></rdf:li>
                    <rdf:li rdf:parseType="Resource"><pdfaProperty:name>Version</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>the version of the Factur-X XML schema</pdfaProperty:description></rdf:li>
                    <rdf:li rdf:parseType="Resource"><pdfaProperty:name>ConformanceLevel</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>the conformance level of the embedded XML</pdfaProperty:description></rdf:li>
                </rdf:Seq></pdfaSchema:property>
            </rdf:li></rdf:Bag></pdfaExtension:schemas>
        </rdf:Description>
        `;

/**
 * Renders an issued invoice or credit note as a PDF (A4, German and English labels). The PDF is
 * drawn from the stored, immutable rows only, with the issue time as its creation date, so the
 * same invoice always gives the same document. With `xml` (the invoice's CII e-invoice) it is a
 * ZUGFeRD/Factur-X hybrid: PDF/A-3b with embedded fonts and an sRGB output intent (pdfkit's
 * subset), the XML embedded as `xrechnung.xml` with relationship Alternative in the catalog's /AF,
 * and the Factur-X XMP naming it — one file that people read and machines book.
 */
export function toPdf(doc: InvoiceDocument, xml?: string): Promise<Buffer> {
  const { row, lines, buyer, seller } = doc;
  const credit = row.kind === 'credit_note';
  const issued = new Date(Number(row.issued_at));
  const pdf = new PDFDocument({ size: 'A4', margin: 50, info: { Title: row.number, Author: seller.name, CreationDate: issued }, ...(xml ? { pdfVersion: '1.7', subset: 'PDF/A-3b' as const, tagged: false, lang: 'de-DE' } : {}) });
  if (xml) {
    // pdfkit writes `relationship` as the file spec's /AFRelationship; @types/pdfkit does not know it yet.
    const attachment: PDFKit.Mixins.PDFAttachmentOptions & { relationship: string } = { name: EMBEDDED_XML, type: 'text/xml', relationship: 'Alternative', description: `${credit ? 'Credit note' : 'Invoice'} ${row.number} (EN 16931, XRechnung CII)`, creationDate: issued, modifiedDate: issued };
    pdf.file(Buffer.from(xml, 'utf8'), attachment);
    pdf.appendXML(FACTURX_XMP);
  }
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
