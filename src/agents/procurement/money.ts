/** BRL amounts as people in Brazil write them, for titles and reports: `R$ 61.233,20`. */

const BRL = new Intl.NumberFormat('pt-BR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatBrl(value: number): string {
  return `R$ ${BRL.format(value)}`;
}

export function formatPercent(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)} %`;
}
