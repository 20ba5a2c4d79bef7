/**
 * Drummond: publication of investigation cases (`publish_case`) and its compensation (`unpublish_case`),
 * stored in the same SQLite file as the case records.
 *
 * Publishing is refused, for reasons a saga test can trigger, when the case does not exist, was withdrawn,
 * has no attached report, or is under an embargo that has not passed yet (`embargoUntil`).
 */

import type { JsonObject } from '../engine/json.ts';
import { type Agent, type AgentContext, AgentError } from './agent.ts';
import { createAgent } from './agent-kit.ts';
import { CaseStore, requestKeyOf } from './cases/case-store.ts';
import { readId, readOptionalText } from './cases/payload-fields.ts';
import { DRUMMOND } from './descriptors.ts';
import type { CaseAgentConfig } from './nana.ts';

function refuse(path: string, message: string): never {
  throw new AgentError('INVALID_INPUT', `cannot publish: ${message}`, [{ path, message }]);
}

/** `embargoUntil` as epoch ms, or null when absent. */
function readEmbargo(payload: JsonObject): number | null {
  const value = payload.embargoUntil;
  if (value === undefined || value === null) return null;
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new AgentError(
      'INVALID_INPUT',
      `embargoUntil: expected an ISO 8601 date-time, got ${JSON.stringify(value)}`,
      [{ path: 'embargoUntil', message: 'expected an ISO 8601 date-time' }],
    );
  }
  return time;
}

export function createDrummondAgent(config: CaseAgentConfig): Agent & { close(): void } {
  let store: CaseStore | null = null;
  const cases = () => {
    store ??= new CaseStore(
      config.now ? { dataDir: config.dataDir, now: config.now } : { dataDir: config.dataDir },
    );
    return store;
  };

  async function publishCase(payload: JsonObject, context: AgentContext): Promise<JsonObject> {
    const caseId = readId(payload, 'caseId');
    const channel = readOptionalText(payload, 'channel', 'transparency-portal');
    const embargo = readEmbargo(payload);
    const record = cases().getCase(caseId);
    if (!record) refuse('caseId', `no case ${caseId}`);
    if (record.status !== 'OPEN') refuse('caseId', `case ${caseId} is ${record.status}`);
    const attachments = cases().attachments(caseId);
    const latest = attachments[attachments.length - 1];
    if (!latest) refuse('caseId', `case ${caseId} has no attached report`);
    if (embargo !== null && embargo > cases().now().getTime()) {
      refuse('embargoUntil', `case ${caseId} is under embargo until ${new Date(embargo).toISOString()}`);
    }
    const publication = cases().publish({
      caseId,
      attachmentId: latest.id,
      channel,
      requestKey: requestKeyOf(context, 'publish_case'),
    });
    return {
      publicationId: publication.id,
      caseId: publication.caseId,
      attachmentId: publication.attachmentId,
      channel: publication.channel,
      publishedAt: publication.publishedAt,
    };
  }

  async function unpublishCase(payload: JsonObject): Promise<JsonObject> {
    const publicationId = readId(payload, 'publicationId');
    // Unpublishing twice is not an error: a compensation may be retried after it succeeded.
    const removed = cases().unpublish(publicationId);
    return { publicationId, unpublished: removed, alreadyAbsent: !removed };
  }

  const agent = createAgent(DRUMMOND, { publish_case: publishCase, unpublish_case: unpublishCase });
  return { ...agent, close: () => store?.close() };
}
