/**
 * A coarse category of what a contract buys, read from its description.
 *
 * Price outliers only mean something among comparable contracts: a R$ 6 million foundation agreement is
 * not an outlier among R$ 300 office-supply orders, it is another kind of thing. Without unit prices or
 * a catalogue code in the data, keyword rules over the normalized description are the comparable-group
 * key (together with the modality). Rules are tried in order; the first match wins, so the specific ones
 * (utilities, support foundations, construction) come before the broad ones (maintenance, supplies).
 */

import { descriptionText } from './text.ts';

export const OBJECT_CATEGORIES = [
  'UTILITIES',
  'SUPPORT_FOUNDATION',
  'CONSTRUCTION',
  'SECURITY',
  'CLEANING',
  'OUTSOURCED_LABOR',
  'FOOD',
  'TRAINING_EVENTS',
  'IT',
  'VEHICLES_TRAVEL',
  'MAINTENANCE',
  'EQUIPMENT',
  'SUPPLIES',
  'SERVICES',
  'UNKNOWN',
] as const;
export type ObjectCategory = (typeof OBJECT_CATEGORIES)[number];

const RULES: readonly (readonly [ObjectCategory, RegExp])[] = [
  [
    'UTILITIES',
    /energia eletrica|fornecimento de agua|abastecimento de agua|agua tratada|esgoto|saneamento|concessionaria|servicos? postais|correios|tel ?efon|link de (?:dados|internet)|internet|imprensa nacional|publica(?:r|cao) (?:e divulgar )?(?:os )?atos oficiais/,
  ],
  ['SUPPORT_FOUNDATION', /fundacao de apoio|gestao administrativa e financeira/],
  [
    'CONSTRUCTION',
    /(?<!mao de )\bobras?\b|construcao|reforma\b|engenharia|edificacao|pavimentacao|quadra poliesportiva|passarela/,
  ],
  ['SECURITY', /vigilancia|seguranca patrimonial|monitoramento eletronico|alarme/],
  ['CLEANING', /limpeza|asseio|conservacao predial|jardinagem|rocada|capina|dedetiza|controle de pragas/],
  [
    'OUTSOURCED_LABOR',
    /mao de obra|terceirizad|motorista|recepcionista|interprete|tradutor|cozinheir|apoio tecnico operacional|dedicacao exclusiva/,
  ],
  [
    'FOOD',
    /alimenticio|alimentos|alimentacao|merenda|refeic|restaurante|lanche|buffet|coffee break|cesta basica|agricultura familiar|\bpnae\b|hortifruti|coz ?inh/,
  ],
  [
    'TRAINING_EVENTS',
    /capacitacao|\bcursos?\b|treinamento|inscricao|\beventos?\b|congresso|seminario|palestra|workshop|encontro/,
  ],
  [
    'IT',
    /software|licenca|informatica|computador|notebook|\btic?\b|rede logica|cabeamento|impressora|impressao|nuvem|certificado digital|certificacao digital/,
  ],
  ['VEHICLES_TRAVEL', /veicul|frota|combustive|passage(?:m|ns)|agenciamento de viage|transporte|onibus/],
  ['MAINTENANCE', /manutencao|reparo|conserto|instalacao|ar condicionado|extintor/],
  [
    'EQUIPMENT',
    /equipamento|mobiliario|moveis|\bmesas?\b|cadeiras?|estante|aparelho|projetor|projecao|instrumentos? musica|eletrodomestic|eletroeletronic|esfigmomanometro/,
  ],
  [
    'SUPPLIES',
    /materia(?:l|is)|insumo|consumo|uniforme|expediente|grafic|\bgas\b|\bglp\b|agua mineral|generos?\b|gases|descartave/,
  ],
  ['SERVICES', /servico|contratacao de empresa|prestacao/],
];

/** The first category whose rule matches the description; UNKNOWN when none does or it is a placeholder. */
export function objectCategory(description: string, placeholder = false): ObjectCategory {
  if (placeholder) return 'UNKNOWN';
  const text = descriptionText(description);
  for (const [category, rule] of RULES) if (rule.test(text)) return category;
  return 'UNKNOWN';
}
