/**
 * Nanã: investigation case records (`open_case`, `attach_report`) and their compensations
 * (`withdraw_case`, `detach_report`), stored in SQLite under the agent's data directory.
 */

import type { JsonObject } from '../engine/json.ts';
import { type Agent, type AgentContext, AgentError } from './agent.ts';
import { createAgent } from './agent-kit.ts';
import { CaseStore, requestKeyOf } from './cases/case-store.ts';
import { readId, readOptionalText } from './cases/payload-fields.ts';
import { NANA } from './descriptors.ts';

export interface CaseAgentConfig {
  /** Directory for `cases.sqlite` (`builtinAgentManifests` passes its `dataDir`, default `./data`). */
  dataDir: string;
  /** Clock for timestamps; default the system clock. */
  now?: () => Date;
}

/** The risk figures of an analysis output or summary given as `summary`, when present. */
function riskOf(summary: unknown): {
  riskScore: number | null;
  riskLevel: string | null;
  anomaliesFound: number | null;
} {
  if (summary === undefined || summary === null)
    return { riskScore: null, riskLevel: null, anomaliesFound: null };
  if (typeof summary !== 'object' || Array.isArray(summary)) {
    throw new AgentError('INVALID_INPUT', 'summary: expected an object', [
      { path: 'summary', message: 'expected an object' },
    ]);
  }
  const s = summary as Record<string, unknown>;
  return {
    riskScore: typeof s.riskScore === 'number' ? s.riskScore : null,
    riskLevel: typeof s.riskLevel === 'string' ? s.riskLevel : null,
    anomaliesFound: typeof s.anomaliesFound === 'number' ? s.anomaliesFound : null,
  };
}

/** Markdown from a report given as text, as `{ markdown }` (tiradentes `report`) or as a whole tiradentes output. */
function readReport(payload: JsonObject): { title: string | null; markdown: string } {
  const report = payload.report;
  if (typeof report === 'string' && report.trim() !== '') return { title: null, markdown: report };
  if (report && typeof report === 'object' && !Array.isArray(report)) {
    const inner =
      report.report && typeof report.report === 'object' && !Array.isArray(report.report)
        ? report.report
        : report;
    if (typeof inner.markdown === 'string' && inner.markdown.trim() !== '') {
      return { title: typeof inner.title === 'string' ? inner.title : null, markdown: inner.markdown };
    }
  }
  throw new AgentError('INVALID_INPUT', 'report: expected Markdown text or an object with markdown', [
    { path: 'report', message: 'expected Markdown text or an object with a non-empty markdown field' },
  ]);
}

function caseJson(c: NonNullable<ReturnType<CaseStore['getCase']>>): JsonObject {
  return {
    caseId: c.id,
    title: c.title,
    status: c.status,
    riskScore: c.riskScore,
    riskLevel: c.riskLevel,
    anomaliesFound: c.anomaliesFound,
    runId: c.runId,
    openedAt: c.openedAt,
    withdrawnAt: c.withdrawnAt,
    withdrawReason: c.withdrawReason,
  };
}

export function createNanaAgent(config: CaseAgentConfig): Agent & { close(): void } {
  let store: CaseStore | null = null;
  // Opened on first use, so creating the agent (e.g. when listing) touches no file.
  const cases = () => {
    store ??= new CaseStore(
      config.now ? { dataDir: config.dataDir, now: config.now } : { dataDir: config.dataDir },
    );
    return store;
  };

  async function openCase(payload: JsonObject, context: AgentContext): Promise<JsonObject> {
    const title = readOptionalText(payload, 'title', 'Procurement investigation');
    const risk = riskOf(payload.summary);
    const record = cases().openCase({
      title,
      ...risk,
      runId: context.runId,
      requestKey: requestKeyOf(context, 'open_case'),
    });
    return caseJson(record);
  }

  async function withdrawCase(payload: JsonObject): Promise<JsonObject> {
    const caseId = readId(payload, 'caseId');
    const reason = readOptionalText(payload, 'reason', 'compensated: a later step of the saga failed');
    const record = cases().withdrawCase(caseId, reason);
    if (!record)
      throw new AgentError('INVALID_INPUT', `caseId: no case ${caseId}`, [
        { path: 'caseId', message: 'no such case' },
      ]);
    return caseJson(record);
  }

  async function attachReport(payload: JsonObject, context: AgentContext): Promise<JsonObject> {
    const caseId = readId(payload, 'caseId');
    const { title, markdown } = readReport(payload);
    const record = cases().getCase(caseId);
    if (!record)
      throw new AgentError('INVALID_INPUT', `caseId: no case ${caseId}`, [
        { path: 'caseId', message: 'no such case' },
      ]);
    if (record.status !== 'OPEN') {
      throw new AgentError(
        'INVALID_INPUT',
        `case ${caseId} is ${record.status}; reports attach to open cases only`,
        [{ path: 'caseId', message: `case is ${record.status}` }],
      );
    }
    const attachment = cases().attachReport({
      caseId,
      title,
      markdown,
      requestKey: requestKeyOf(context, 'attach_report'),
    });
    return {
      attachmentId: attachment.id,
      caseId: attachment.caseId,
      title: attachment.title,
      attachedAt: attachment.attachedAt,
      characters: attachment.markdown.length,
    };
  }

  async function detachReport(payload: JsonObject): Promise<JsonObject> {
    const attachmentId = readId(payload, 'attachmentId');
    const published = cases().publicationsOfAttachment(attachmentId);
    if (published.length > 0) {
      throw new AgentError(
        'INVALID_INPUT',
        `attachment ${attachmentId} is published (${published.map((p) => p.id).join(', ')}); unpublish it first`,
        [{ path: 'attachmentId', message: 'attachment is published' }],
      );
    }
    // Detaching twice is not an error: a compensation may be retried after it succeeded.
    const detached = cases().detachReport(attachmentId);
    return { attachmentId, detached, alreadyAbsent: !detached };
  }

  const agent = createAgent(NANA, {
    open_case: openCase,
    withdraw_case: withdrawCase,
    attach_report: attachReport,
    detach_report: detachReport,
  });
  return { ...agent, close: () => store?.close() };
}
