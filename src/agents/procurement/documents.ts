/**
 * Masking of natural persons' CPF numbers.
 *
 * The source publishes supplier CPFs (and some individual micro-entrepreneurs carry their CPF inside the
 * company name). They are public under the transparency law, but a report does not need them: CPFs are
 * shown as `***.456.789-**`, the form the federal transparency portal uses. CNPJs (companies) are kept.
 */

/** True when the identifier has exactly 11 digits, i.e. is a CPF (a CNPJ has 14). */
export function isCpf(id: string): boolean {
  return id.replace(/\D/g, '').length === 11;
}

function maskDigits(digits: string): string {
  return `***.${digits.slice(3, 6)}.${digits.slice(6, 9)}-**`;
}

/** `012.690.351-42` -> `***.690.351-**`; CNPJs and already masked ids are returned unchanged. */
export function maskDocument(id: string): string {
  const digits = id.replace(/\D/g, '');
  return digits.length === 11 ? maskDigits(digits) : id;
}

// An 11-digit CPF, formatted or not, that is not part of a longer number.
const CPF_IN_TEXT = /(?<![\d.])(\d{3})\.?(\d{3})\.?(\d{3})-?(\d{2})(?![\d])/g;

/** Masks every CPF written inside free text, e.g. a MEI name "MARIA SILVA 04813808174". */
export function maskCpfsInText(text: string): string {
  return text.replace(CPF_IN_TEXT, (match, a: string, b: string, c: string, d: string) => {
    const digits = `${a}${b}${c}${d}`;
    // A formatted CNPJ root such as "42.057.124" never matches (it has no 4th group); keep anything else.
    return digits.length === 11 ? maskDigits(digits) : match;
  });
}

/** A supplier as it may be displayed: CPF masked in the id and in the name. */
export function displaySupplier(supplier: { id: string; name: string }): { id: string; name: string } {
  return { id: maskDocument(supplier.id), name: maskCpfsInText(supplier.name) };
}
