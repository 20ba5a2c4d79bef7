/**
 * What can be known about each built-in agent without loading it: name, capabilities, actions and their
 * payload keys with parameter defaults. Plain data (it imports only the parameter tables), so the
 * registry can list, index and validate workflows against agents whose analysis code is never loaded.
 */

import type { AgentDescriptor } from './agent.ts';
import {
  ANITA_PARAMETERS,
  BONIFACIO_PARAMETERS,
  describeParameters,
  OXOSSI_PARAMETERS,
  RANK_AGENCIES_PARAMETERS,
  TIRADENTES_PARAMETERS,
  ZUMBI_PARAMETERS,
} from './parameter-tables.ts';

const CONTRACT_SOURCE = {
  contracts: 'Normalized procurement records (docs/agents.md); give this or dataset',
  dataset: 'Name of a built-in dataset ("ifms"); give this or contracts',
  label: 'Optional name of the analysed subset (e.g. the agency of a map item), echoed as `label`',
  parameters: 'Thresholds listed below; unknown names are rejected',
} as const;

const ANALYSIS_OUTPUT =
  'Returns { agent, action, label, findings, anomaliesFound, riskScore (0-10), riskLevel, contractsAnalyzed, summary, source, parameters, ... }.';

export const ZUMBI: AgentDescriptor = {
  name: 'zumbi',
  description:
    'Anomaly detection over procurement contracts: price outliers in comparable groups, values above the estimate, supplier concentration, monthly volume spikes, near-duplicate descriptions and contract splitting.',
  capabilities: [
    'anomaly_detection',
    'price_analysis',
    'supplier_concentration',
    'duplicate_detection',
    'contract_splitting_detection',
  ],
  actions: [
    {
      name: 'detect_anomalies',
      description: `Runs the anomaly detectors. ${ANALYSIS_OUTPUT}`,
      parameters: { ...CONTRACT_SOURCE, ...describeParameters(ZUMBI_PARAMETERS) },
    },
  ],
};

export const ANITA: AgentDescriptor = {
  name: 'anita',
  description:
    'Pattern analysis: yearly and monthly trends, year-end spikes, suppliers active in many agencies, dispensas bunched just below the legal limit, and the share of non-competitive purchases.',
  capabilities: ['pattern_analysis', 'trend_analysis', 'temporal_analysis'],
  actions: [
    {
      name: 'analyze_patterns',
      description: `Computes trends (in \`patterns\`) and tests the patterns. ${ANALYSIS_OUTPUT}`,
      parameters: { ...CONTRACT_SOURCE, ...describeParameters(ANITA_PARAMETERS) },
    },
  ],
};

export const OXOSSI: AgentDescriptor = {
  name: 'oxossi',
  description:
    "Fraud indicators: Benford's law on first digits (chi-square and MAD with Nigrini's thresholds), identical values repeated across purchases, and preference for round values.",
  capabilities: ['fraud_detection', 'benford_analysis', 'statistical_forensics'],
  actions: [
    {
      name: 'detect_fraud_indicators',
      description: `Runs the forensic tests; the Benford table is in \`benford\`. ${ANALYSIS_OUTPUT}`,
      parameters: { ...CONTRACT_SOURCE, ...describeParameters(OXOSSI_PARAMETERS) },
    },
  ],
};

export const BONIFACIO: AgentDescriptor = {
  name: 'bonifacio',
  description:
    'Legal compliance: direct purchases (dispensa) above the value limit of Lei 14.133/2021 art. 75 or Lei 8.666/1993 art. 24 in force on their date, with the decree that set each limit.',
  capabilities: ['legal_compliance', 'dispensa_limit_check'],
  actions: [
    {
      name: 'check_compliance',
      description: `Checks every dispensa against its limit; the limits table used is in \`legalLimits\`. ${ANALYSIS_OUTPUT}`,
      parameters: { ...CONTRACT_SOURCE, ...describeParameters(BONIFACIO_PARAMETERS) },
    },
  ],
};

const REPORT_INPUT = {
  findings: 'Findings to report (e.g. a merged list)',
  analyses:
    'Analysis outputs, as a list or as an object of named outputs (null entries, e.g. skipped steps, are ignored)',
  contracts: 'Optional contracts, for context (totals, period, agencies)',
  dataset: 'Optional built-in dataset name, for context',
  parameters: 'Settings listed below; unknown names are rejected',
} as const;

export const TIRADENTES: AgentDescriptor = {
  name: 'tiradentes',
  description:
    'Reporting: combines findings from one or several agents into a deterministic Markdown report and a JSON summary with an overall risk level, and ranks agencies from map results.',
  capabilities: ['report_generation', 'summarization', 'risk_ranking'],
  actions: [
    {
      name: 'generate_report',
      description:
        'Markdown report (`report.markdown`) and JSON summary (`summary`) of the findings, each with its evidence; also returns the combined findings, anomaliesFound, riskScore and riskLevel.',
      parameters: { ...REPORT_INPUT, ...describeParameters(TIRADENTES_PARAMETERS) },
    },
    {
      name: 'summarize',
      description: 'JSON summary only: counts by type and severity, the strongest findings, overall risk.',
      parameters: {
        ...REPORT_INPUT,
        ...describeParameters({ maxFindings: TIRADENTES_PARAMETERS.maxFindings }),
      },
    },
    {
      name: 'rank_agencies',
      description:
        'Reduce step: ranks map results (one analysis output per agency, named by `label`) by riskScore, then anomaliesFound.',
      parameters: {
        results: 'Analysis outputs, one per agency (the map results)',
        parameters: 'Settings listed below; unknown names are rejected',
        ...describeParameters(RANK_AGENCIES_PARAMETERS),
      },
    },
  ],
};

export const CEUCI: AgentDescriptor = {
  name: 'ceuci',
  description:
    'ETL: loads and validates contracts (inline or from a built-in dataset) and groups them by agency.',
  capabilities: ['etl', 'data_loading', 'grouping'],
  actions: [
    {
      name: 'load_contracts',
      description: 'Returns { contracts, count, source } with the contracts validated and normalized.',
      parameters: { contracts: CONTRACT_SOURCE.contracts, dataset: CONTRACT_SOURCE.dataset },
    },
    {
      name: 'group_by_agency',
      description:
        'Returns { groups: [{ key, agency, contracts, count, totalValue }], count } ordered by agency code.',
      parameters: { contracts: CONTRACT_SOURCE.contracts, dataset: CONTRACT_SOURCE.dataset },
    },
  ],
};

export const NANA: AgentDescriptor = {
  name: 'nana',
  description:
    'Case records: opens investigation cases and attaches reports to them, stored in SQLite; withdraw and detach undo them (saga compensations).',
  capabilities: ['case_management'],
  actions: [
    {
      name: 'open_case',
      description:
        'Opens a case; returns { caseId, status, title, openedAt, riskLevel }. Idempotent per run step.',
      parameters: {
        title: 'Case title (default "Procurement investigation")',
        summary: 'Optional analysis output or summary whose riskScore/riskLevel/anomaliesFound are recorded',
      },
    },
    {
      name: 'withdraw_case',
      description: 'Compensation of open_case: marks the case WITHDRAWN (kept, with the reason).',
      parameters: {
        caseId: 'The case (or `output.caseId`, the default compensation payload)',
        reason: 'Why (default "compensated: a later step of the saga failed")',
      },
    },
    {
      name: 'attach_report',
      description: 'Attaches a report to an open case; returns { attachmentId, caseId, attachedAt }.',
      parameters: {
        caseId: 'The case to attach to',
        report: 'The report: a tiradentes report object ({ markdown, ... }) or Markdown text',
      },
    },
    {
      name: 'detach_report',
      description: 'Compensation of attach_report: removes the attachment.',
      parameters: { attachmentId: 'The attachment (or `output.attachmentId`)' },
    },
  ],
};

export const DRUMMOND: AgentDescriptor = {
  name: 'drummond',
  description:
    'Publication: publishes a case with an attached report, stored in SQLite; unpublish removes the publication (saga compensation).',
  capabilities: ['publication'],
  actions: [
    {
      name: 'publish_case',
      description:
        'Publishes an open case with its latest attached report; refused when the case is missing or withdrawn, has no report, or is under an embargo that has not passed. Returns { publicationId, caseId, attachmentId, channel, publishedAt }.',
      parameters: {
        caseId: 'The case to publish',
        embargoUntil: 'Optional ISO date-time before which the case may not be published',
        channel: 'Where it is published (default "transparency-portal")',
      },
    },
    {
      name: 'unpublish_case',
      description: 'Compensation of publish_case: removes the publication record.',
      parameters: { publicationId: 'The publication (or `output.publicationId`)' },
    },
  ],
};

export const BUILTIN_DESCRIPTORS: readonly AgentDescriptor[] = [
  ZUMBI,
  ANITA,
  OXOSSI,
  BONIFACIO,
  TIRADENTES,
  CEUCI,
  NANA,
  DRUMMOND,
];
