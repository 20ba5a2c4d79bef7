/**
 * Description text as the detectors compare it.
 *
 * Legacy pregão descriptions were extracted from PDFs and carry words broken by stray spaces ("ser viços",
 * "mater iais") and a "Pregão Eletrônico" prefix; accents and case vary. Normalizing once here keeps the
 * similarity and category logic honest about what it compares.
 */

/** Lower case, accents removed, punctuation as spaces, single spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Prefixes that say how the purchase was run rather than what it bought. */
const PROCEDURE_PREFIX = /^(?:pregao eletronico|pregao|dispensa eletronica)\s+/;

/** Normalized text without the procedure prefix. */
export function descriptionText(text: string): string {
  return normalizeText(text).replace(PROCEDURE_PREFIX, '');
}

/** Normalized text with every space removed, which rejoins words broken by PDF extraction. */
export function compactText(text: string): string {
  return descriptionText(text).replaceAll(' ', '');
}

/**
 * Character shingles of the compact text, as 32-bit hashes (FNV-1a). Character shingles survive broken
 * words and small spelling differences that word shingles do not.
 */
export function shingleHashes(compact: string, size: number): Uint32Array {
  const count = Math.max(0, compact.length - size + 1);
  const seen = new Set<number>();
  for (let i = 0; i < count; i++) {
    let hash = 0x811c9dc5;
    for (let j = i; j < i + size; j++) {
      hash ^= compact.charCodeAt(j);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    seen.add(hash);
  }
  return Uint32Array.from([...seen].sort((a, b) => a - b));
}
