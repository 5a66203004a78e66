import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js';
import writeXlsxFile from 'write-excel-file/node';
import { normalize, psiItem } from '../../src/identifiers/index.js';

/** The headers of a CRM export as a marketer downloads it. */
export const HEADERS = ['E-mail Address', 'Phone Number', 'First Name', 'Zip', 'Country', 'Last Purchase Date', 'Lifetime Value ($)'];

const pad = (x: number, width: number) => String(x).padStart(width, '0');

interface Customer {
  email: string;
  phone: string;
  firstName: string;
  zip: string;
  country: string;
  iso: CountryCode;
  date: string;
  value: string;
}

/**
 * A messy export of `rows` rows (plus 20 repeated at the end): US and UK
 * customers, phones written nationally without a country code (the row's
 * Country column says which), country written as codes and names, some
 * emails malformed or missing, some rows with no usable identifier, a date
 * column a naive guesser takes for phones.
 */
export function messyExport(rows = 3000) {
  const customers: Customer[] = [];
  for (let i = 0; i < rows; i++) {
    const uk = i % 3 === 0;
    const iso: CountryCode = uk ? 'GB' : 'US';
    const country = uk ? (i % 2 === 0 ? 'United Kingdom' : 'GB') : i % 2 === 0 ? 'US' : 'USA';
    const phone = uk ? `020 7946 ${pad(i % 10_000, 4)}` : `(415) ${200 + Math.floor(i / 10_000)}-${pad(i % 10_000, 4)}`;
    const hopeless = i % 101 === 7;
    customers.push({
      email: hopeless || i % 50 === 3 ? '' : i % 97 === 5 ? `customer${i}@` : `Customer.${i}@Example.com`,
      phone: hopeless ? 'n/a' : i % 40 === 9 ? '' : phone,
      firstName: `Name${i}`,
      zip: pad(10_000 + i, 5),
      country,
      iso,
      date: `2026-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 28), 2)}`,
      value: `${(i % 500) + 0.5}`,
    });
  }
  const all = [...customers, ...customers.slice(0, 20)];

  const e164 = (c: Customer) => {
    if (c.phone === '' || c.phone === 'n/a') return undefined;
    const p = parsePhoneNumberWithError(c.phone, { defaultCountry: c.iso });
    return p.isValid() ? p.number : undefined;
  };
  const validEmail = (c: Customer) => (c.email === '' || c.email.endsWith('@') ? undefined : normalize(c.email, 'email'));

  // The platform: the emails of even rows below 1,000, the phones (UK ones included) of even rows 1,000 to 1,999.
  const platformEmails = customers.filter((_, i) => i < 1000 && i % 2 === 0).flatMap((c) => validEmail(c) ?? []);
  const platformPhones = customers.filter((_, i) => i >= 1000 && i < 2000 && i % 2 === 0).flatMap((c) => e164(c) ?? []);
  const emailSet = new Set(platformEmails);
  const phoneSet = new Set(platformPhones);
  const usable = customers.filter((c) => validEmail(c) !== undefined || e164(c) !== undefined);
  const matchedCustomers = usable.filter((c) => emailSet.has(validEmail(c) ?? '') || phoneSet.has(e164(c) ?? ''));
  const matched = matchedCustomers.length;
  const platform = [
    ...platformEmails.map((e) => psiItem('email', e)),
    ...platformPhones.map((p) => psiItem('phone', p)),
    ...Array.from({ length: 2000 }, (_, i) => psiItem('email', `someone${i}@elsewhere.example`)),
  ];

  const cells = (c: Customer) => [c.email, c.phone, c.firstName, c.zip, c.country, c.date, c.value];
  const quote = (cell: string, separator: string) =>
    cell.includes(separator) || cell.includes('"') ? `"${cell.replace(/"/g, '""')}"` : cell;
  const csv = (separator: string, decimal = '.') =>
    [HEADERS, ...all.map((c) => cells({ ...c, value: c.value.replace('.', decimal) }))]
      .map((r) => r.map((cell) => quote(cell, separator)).join(separator))
      .join('\r\n') + '\r\n';

  const xlsx = async (): Promise<Buffer> => {
    const header = HEADERS.map((value) => ({ value, fontWeight: 'bold' as const }));
    const body = all.map((c) => [
      { value: c.email },
      { value: c.phone },
      { value: c.firstName },
      { value: c.zip },
      { value: c.country },
      { value: new Date(`${c.date}T00:00:00Z`), type: Date, format: 'yyyy-mm-dd' },
      { value: Number(c.value), type: Number },
    ]);
    return await writeXlsxFile([header, ...body] as never, { sheet: 'Customers' }).toBuffer();
  };

  const sample = customers.filter((_, i) => i % 7 === 0);
  return {
    rowsRead: all.length,
    /** Distinct rows with a valid email or phone: the 20 repeated rows count once. */
    customers: usable.length,
    duplicateRows: 20 - customers.slice(0, 20).filter((c) => !usable.includes(c)).length,
    rejected: customers.length - usable.length + customers.slice(0, 20).filter((c) => !usable.includes(c)).length,
    validPhones: all.filter((c) => e164(c) !== undefined).length,
    ukPhones: all.filter((c) => c.iso === 'GB' && e164(c) !== undefined).length,
    matched,
    /** The sum of "Lifetime Value ($)" over the matched customers, each rounded to the unit as the page reads it. */
    matchedValue: matchedCustomers.reduce((sum, c) => sum + Math.round(Number(c.value)), 0),
    platform,
    csv,
    xlsx,
    /** Every 7th customer's identifiers, raw and normalised (a sample: checking every request for all of them takes minutes). */
    secrets: {
      emails: sample.flatMap((c) => (validEmail(c) === undefined ? [] : [c.email, validEmail(c)!])),
      phones: sample.flatMap((c) => (e164(c) === undefined ? [] : [c.phone, e164(c)!, e164(c)!.slice(1)])),
      names: sample.map((c) => c.firstName),
    },
  };
}
