// CSV cells for every export (reports, audit log). A text cell that starts with = + - @ (or a tab / CR,
// which some spreadsheets skip before evaluating) is prefixed with ' so a spreadsheet shows it as text
// instead of running it as a formula (CSV/formula injection, OWASP). Numbers and booleans we produce
// ourselves are written as they are.
export type CsvValue = string | number | boolean | null | undefined;

export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',');
}
