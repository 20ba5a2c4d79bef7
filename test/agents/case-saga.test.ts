/**
 * The saga's side effects are real rows in a SQLite file: a case is opened, a report attached and the
 * case published, and each compensation really undoes its step. Every test uses its own temp directory.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaseStore } from '../../src/agents/cases/case-store.ts';
import { createDrummondAgent } from '../../src/agents/drummond.ts';
import { createNanaAgent } from '../../src/agents/nana.ts';
import { temporaryDirectory } from '../support/temp-dir.ts';
import { call, failure, runContext } from './helpers/agent-calls.ts';

const NOW = new Date('2026-03-30T12:00:00.000Z');
const open: { close(): void }[] = [];

function setup() {
  const dataDir = temporaryDirectory('orquestra-cases-');
  const now = () => NOW;
  const nana = createNanaAgent({ dataDir, now });
  const drummond = createDrummondAgent({ dataDir, now });
  const store = new CaseStore({ dataDir, now });
  open.push(nana, drummond, store);
  return { dataDir, nana, drummond, store };
}

afterEach(() => {
  for (const item of open.splice(0)) item.close();
});

const REPORT = {
  title: 'IFMS screening',
  format: 'text/markdown',
  markdown: '# IFMS screening\n\nRisk level: HIGH',
};

describe('case records and publication (nana, drummond)', () => {
  it('opens a case, attaches a report and publishes it, all stored in cases.sqlite', async () => {
    const { dataDir, nana, drummond, store } = setup();
    const opened = await call(nana, 'open_case', {
      title: 'IFMS screening',
      summary: { riskScore: 8.2, riskLevel: 'HIGH', anomaliesFound: 60 },
    });
    expect(opened).toMatchObject({
      status: 'OPEN',
      title: 'IFMS screening',
      riskLevel: 'HIGH',
      openedAt: NOW.toISOString(),
    });
    const caseId = String(opened.caseId);
    const attached = await call(nana, 'attach_report', { caseId, report: REPORT });
    const published = await call(drummond, 'publish_case', { caseId });
    expect(published).toMatchObject({
      caseId,
      attachmentId: attached.attachmentId,
      channel: 'transparency-portal',
    });

    expect(existsSync(join(dataDir, 'cases.sqlite'))).toBe(true);
    expect(store.getCase(caseId)).toMatchObject({ status: 'OPEN', riskScore: 8.2, anomaliesFound: 60 });
    expect(store.attachments(caseId).map((a) => a.markdown)).toEqual([REPORT.markdown]);
    expect(store.publications(caseId).map((p) => p.id)).toEqual([published.publicationId]);
  });

  it('compensates each step: unpublish removes the publication, detach the attachment, withdraw keeps the case', async () => {
    const { nana, drummond, store } = setup();
    const caseId = String((await call(nana, 'open_case', {})).caseId);
    const attachmentId = String(
      (await call(nana, 'attach_report', { caseId, report: REPORT.markdown })).attachmentId,
    );
    const publicationId = String((await call(drummond, 'publish_case', { caseId })).publicationId);

    // A published report cannot be detached before it is unpublished (compensations run in reverse).
    expect((await failure(nana, 'detach_report', { attachmentId })).message).toContain('unpublish it first');

    // The engine's default compensation payload is { output: <the step's output>, ...input, ...data }.
    const unpublished = await call(drummond, 'unpublish_case', {
      output: { publicationId },
      dataset: 'ifms',
    });
    expect(unpublished).toEqual({ publicationId, unpublished: true, alreadyAbsent: false });
    expect(store.getPublication(publicationId)).toBeNull();

    expect(await call(nana, 'detach_report', { output: { attachmentId, caseId } })).toMatchObject({
      detached: true,
    });
    expect(store.getAttachment(attachmentId)).toBeNull();

    const withdrawn = await call(nana, 'withdraw_case', { output: { caseId } });
    expect(withdrawn).toMatchObject({
      status: 'WITHDRAWN',
      withdrawnAt: NOW.toISOString(),
      withdrawReason: 'compensated: a later step of the saga failed',
    });
    // Withdrawn, not erased.
    expect(store.getCase(caseId)?.status).toBe('WITHDRAWN');

    // Compensations may be retried after they succeeded.
    expect(await call(drummond, 'unpublish_case', { publicationId })).toMatchObject({ alreadyAbsent: true });
    expect(await call(nana, 'detach_report', { attachmentId })).toMatchObject({ alreadyAbsent: true });
    expect(await call(nana, 'withdraw_case', { caseId, reason: 'again' })).toMatchObject({
      withdrawReason: 'compensated: a later step of the saga failed',
    });
  });

  it('refuses to publish under an embargo that has not passed, which a saga then compensates', async () => {
    const { nana, drummond, store } = setup();
    const caseId = String((await call(nana, 'open_case', {})).caseId);
    const attachmentId = String((await call(nana, 'attach_report', { caseId, report: REPORT })).attachmentId);
    const refused = await failure(drummond, 'publish_case', { caseId, embargoUntil: '2026-04-15T00:00:00Z' });
    expect(refused).toMatchObject({ kind: 'INVALID_INPUT' });
    expect(refused.message).toBe(
      `cannot publish: case ${caseId} is under embargo until 2026-04-15T00:00:00.000Z`,
    );
    expect(store.publications(caseId)).toEqual([]);
    // The saga's compensations, in reverse order.
    await call(nana, 'detach_report', { output: { attachmentId } });
    await call(nana, 'withdraw_case', { output: { caseId }, reason: 'publication embargoed' });
    expect(store.attachments(caseId)).toEqual([]);
    expect(store.getCase(caseId)).toMatchObject({
      status: 'WITHDRAWN',
      withdrawReason: 'publication embargoed',
    });
    // A past embargo does not stop publication.
    const other = String((await call(nana, 'open_case', {})).caseId);
    await call(nana, 'attach_report', { caseId: other, report: REPORT });
    expect(
      await call(drummond, 'publish_case', { caseId: other, embargoUntil: '2026-03-01' }),
    ).toHaveProperty('publicationId');
  });

  it('refuses to publish a case without a report, a withdrawn case, or an unknown one', async () => {
    const { nana, drummond } = setup();
    const caseId = String((await call(nana, 'open_case', {})).caseId);
    expect((await failure(drummond, 'publish_case', { caseId })).message).toContain('has no attached report');
    await call(nana, 'withdraw_case', { caseId });
    expect((await failure(drummond, 'publish_case', { caseId })).message).toContain('is WITHDRAWN');
    expect((await failure(nana, 'attach_report', { caseId, report: REPORT })).message).toContain(
      'is WITHDRAWN',
    );
    expect((await failure(drummond, 'publish_case', { caseId: 'case-missing' })).message).toContain(
      'no case case-missing',
    );
    expect((await failure(drummond, 'publish_case', { caseId, embargoUntil: 'soon' })).message).toContain(
      'embargoUntil: expected an ISO 8601 date-time',
    );
    expect((await failure(nana, 'withdraw_case', {})).message).toBe('caseId: is required (or output.caseId)');
  });

  it('makes a retried run step find its earlier row instead of writing a second one', async () => {
    const { nana, store } = setup();
    const first = await call(nana, 'open_case', { title: 'Run case' }, runContext('run-1', 'open', 1));
    const retry = await call(nana, 'open_case', { title: 'Run case' }, runContext('run-1', 'open', 2));
    expect(retry.caseId).toBe(first.caseId);
    const another = await call(nana, 'open_case', { title: 'Run case' }, runContext('run-2', 'open', 1));
    expect(another.caseId).not.toBe(first.caseId);
    expect(store.getCase(String(first.caseId))?.runId).toBe('run-1');
  });

  it('keeps the records across agent instances (a real file, not memory)', async () => {
    const { dataDir, nana } = setup();
    const caseId = String((await call(nana, 'open_case', { title: 'Persistent' })).caseId);
    nana.close();
    const reopened = createNanaAgent({ dataDir });
    open.push(reopened);
    expect(await call(reopened, 'withdraw_case', { caseId, reason: 'closed by test' })).toMatchObject({
      title: 'Persistent',
      status: 'WITHDRAWN',
    });
  });
});
