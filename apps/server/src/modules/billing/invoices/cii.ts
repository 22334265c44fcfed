import { cents, type InvoiceDocument, isoDay, percent, unitEuro, ymd } from './document.ts';

/** Escapes text for XML content and attributes. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The specification identifier (BT-24) of XRechnung 3.0 on the EN 16931 CII syntax. */
export const XRECHNUNG_GUIDELINE = 'urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0';

const date = (tag: string, ms: number, ns = 'udt') => `<ram:${tag}><${ns}:DateTimeString format="102">${ymd(ms)}</${ns}:DateTimeString></ram:${tag}>`;

function address(p: { street: string; postcode: string; city: string; country: string }): string {
  return `<ram:PostalTradeAddress>${p.postcode ? `<ram:PostcodeCode>${esc(p.postcode)}</ram:PostcodeCode>` : ''}${p.street ? `<ram:LineOne>${esc(p.street)}</ram:LineOne>` : ''}${p.city ? `<ram:CityName>${esc(p.city)}</ram:CityName>` : ''}<ram:CountryID>${esc(p.country)}</ram:CountryID></ram:PostalTradeAddress>`;
}

/**
 * The invoice as an EN 16931 e-invoice in UN/CEFACT Cross Industry Invoice (D16B) syntax, with
 * the XRechnung 3.0 specification id (ZUGFeRD/Factur-X profile EN 16931 reads the same
 * document). Amounts are the stored cents; nothing is recomputed here.
 */
export function toCii(doc: InvoiceDocument): string {
  const { row, lines, buyer, seller } = doc;
  const credit = row.kind === 'credit_note';
  const vat = `<ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>${row.vat_category}</ram:CategoryCode><ram:RateApplicablePercent>${percent(row.vat_rate_bp)}</ram:RateApplicablePercent>`;
  const items = lines
    .map(
      (l) =>
        `<ram:IncludedSupplyChainTradeLineItem>` +
        `<ram:AssociatedDocumentLineDocument><ram:LineID>${l.position}</ram:LineID></ram:AssociatedDocumentLineDocument>` +
        `<ram:SpecifiedTradeProduct>${l.resource_id ? `<ram:SellerAssignedID>${esc(l.resource_id)}</ram:SellerAssignedID>` : ''}<ram:Name>${esc(l.description)}</ram:Name></ram:SpecifiedTradeProduct>` +
        // Usage is billed in seconds (UN/ECE rec. 20 "SEC") at a price per hour or per 730-hour month.
        (Number(l.unit_seconds) > 0
          ? `<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>${unitEuro(l.unit_price_uc)}</ram:ChargeAmount><ram:BasisQuantity unitCode="SEC">${l.unit_seconds}</ram:BasisQuantity></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>` +
            `<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="SEC">${l.seconds}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>`
          : `<ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>${cents(l.net_cents)}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>` +
            `<ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">1</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>`) +
        `<ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax>${vat}</ram:ApplicableTradeTax>` +
        `<ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>${cents(l.net_cents)}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>` +
        `</ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>`,
    )
    .join('\n    ');
  const notes = [row.note, row.vat_note].filter(Boolean).map((n) => `<ram:IncludedNote><ram:Content>${esc(n!)}</ram:Content></ram:IncludedNote>`).join('');
  const due = Number(row.issued_at) + doc.dueDays * 86_400_000;
  const buyerTax = buyer.vatId ? `<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">${esc(buyer.vatId)}</ram:ID></ram:SpecifiedTaxRegistration>` : '';
  const exemption = row.vat_note ? `<ram:ExemptionReason>${esc(row.vat_note)}</ram:ExemptionReason>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>${XRECHNUNG_GUIDELINE}</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>${esc(row.number)}</ram:ID>
    <ram:TypeCode>${credit ? 381 : 380}</ram:TypeCode>
    ${date('IssueDateTime', row.issued_at)}
    ${notes}
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    ${items}
    <ram:ApplicableHeaderTradeAgreement>
      <ram:BuyerReference>${esc(buyer.paymentReference)}</ram:BuyerReference>
      <ram:SellerTradeParty>
        <ram:Name>${esc(seller.name)}</ram:Name>
        <ram:DefinedTradeContact><ram:PersonName>${esc(seller.name)}</ram:PersonName>${seller.phone ? `<ram:TelephoneUniversalCommunication><ram:CompleteNumber>${esc(seller.phone)}</ram:CompleteNumber></ram:TelephoneUniversalCommunication>` : ''}<ram:EmailURIUniversalCommunication><ram:URIID>${esc(seller.email)}</ram:URIID></ram:EmailURIUniversalCommunication></ram:DefinedTradeContact>
        ${address(seller)}
        <ram:URIUniversalCommunication><ram:URIID schemeID="EM">${esc(seller.email)}</ram:URIID></ram:URIUniversalCommunication>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">${esc(seller.vatId)}</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:ID>${esc(row.tenant_id)}</ram:ID>
        <ram:Name>${esc(buyer.name)}</ram:Name>
        ${address(buyer)}
        ${buyer.email ? `<ram:URIUniversalCommunication><ram:URIID schemeID="EM">${esc(buyer.email)}</ram:URIID></ram:URIUniversalCommunication>` : ''}
        ${buyerTax}
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:PaymentReference>${esc(buyer.paymentReference)}</ram:PaymentReference>
      <ram:InvoiceCurrencyCode>${row.currency}</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>${esc(seller.iban)}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:ApplicableTradeTax><ram:CalculatedAmount>${cents(row.tax_cents)}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>${exemption}<ram:BasisAmount>${cents(row.net_cents)}</ram:BasisAmount><ram:CategoryCode>${row.vat_category}</ram:CategoryCode><ram:RateApplicablePercent>${percent(row.vat_rate_bp)}</ram:RateApplicablePercent></ram:ApplicableTradeTax>
      <ram:BillingSpecifiedPeriod>${date('StartDateTime', row.period_start)}${date('EndDateTime', Number(row.period_end) - 1)}</ram:BillingSpecifiedPeriod>
      <ram:SpecifiedTradePaymentTerms><ram:Description>${esc(`Due by ${isoDay(due)}, payable by transfer to ${seller.iban} with reference ${buyer.paymentReference}.`)}</ram:Description>${date('DueDateDateTime', due)}</ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>${cents(row.net_cents)}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>${cents(row.net_cents)}</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="${row.currency}">${cents(row.tax_cents)}</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>${cents(row.gross_cents)}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>${cents(row.gross_cents)}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
      ${doc.corrects ? `<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>${esc(doc.corrects.number)}</ram:IssuerAssignedID>${date('FormattedIssueDateTime', doc.corrects.issuedAt, 'qdt')}</ram:InvoiceReferencedDocument>` : ''}
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
`;
}
