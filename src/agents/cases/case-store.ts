/**
 * Investigation cases, their attached reports and their publications, stored in SQLite (`node:sqlite`).
 *
 * These are the side effects of the `case_publication` saga, so they are real rows that compensations
 * really undo: a withdrawn case is kept with its reason (a case file is never erased), a detached report
 * and an unpublished publication are deleted. Writes made on behalf of a run step carry a request key
 * (`runId:stepId`), so a retried step finds its earlier row instead of creating a second one.
 */

import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

export interface CaseStoreOptions {
  /** Directory of the database file `cases.sqlite`; created when missing. */
  dataDir: string;
  /** Clock for timestamps; default the system clock. Tests pass a fixed one. */
  now?: () => Date;
}

export type CaseStatus = 'OPEN' | 'WITHDRAWN';

export interface CaseRecord {
  id: string;
  title: string;
  status: CaseStatus;
  riskScore: number | null;
  riskLevel: string | null;
  anomaliesFound: number | null;
  runId: string | null;
  openedAt: string;
  withdrawnAt: string | null;
  withdrawReason: string | null;
}

export interface AttachmentRecord {
  id: string;
  caseId: string;
  title: string | null;
  markdown: string;
  attachedAt: string;
}

export interface PublicationRecord {
  id: string;
  caseId: string;
  attachmentId: string;
  channel: string;
  publishedAt: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cases (
  id TEXT PRIMARY KEY,
  request_key TEXT UNIQUE,
  title TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('OPEN', 'WITHDRAWN')),
  risk_score REAL,
  risk_level TEXT,
  anomalies_found INTEGER,
  run_id TEXT,
  opened_at TEXT NOT NULL,
  withdrawn_at TEXT,
  withdraw_reason TEXT
);
CREATE TABLE IF NOT EXISTS case_reports (
  id TEXT PRIMARY KEY,
  request_key TEXT UNIQUE,
  case_id TEXT NOT NULL REFERENCES cases(id),
  title TEXT,
  markdown TEXT NOT NULL,
  attached_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS publications (
  id TEXT PRIMARY KEY,
  request_key TEXT UNIQUE,
  case_id TEXT NOT NULL REFERENCES cases(id),
  attachment_id TEXT NOT NULL REFERENCES case_reports(id),
  channel TEXT NOT NULL,
  published_at TEXT NOT NULL
);
`;

type Row = Record<string, unknown>;

const text = (v: unknown): string => String(v);
const textOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numberOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function toCase(row: Row): CaseRecord {
  return {
    id: text(row.id),
    title: text(row.title),
    status: row.status === 'WITHDRAWN' ? 'WITHDRAWN' : 'OPEN',
    riskScore: numberOrNull(row.risk_score),
    riskLevel: textOrNull(row.risk_level),
    anomaliesFound: numberOrNull(row.anomalies_found),
    runId: textOrNull(row.run_id),
    openedAt: text(row.opened_at),
    withdrawnAt: textOrNull(row.withdrawn_at),
    withdrawReason: textOrNull(row.withdraw_reason),
  };
}

function toAttachment(row: Row): AttachmentRecord {
  return {
    id: text(row.id),
    caseId: text(row.case_id),
    title: textOrNull(row.title),
    markdown: text(row.markdown),
    attachedAt: text(row.attached_at),
  };
}

function toPublication(row: Row): PublicationRecord {
  return {
    id: text(row.id),
    caseId: text(row.case_id),
    attachmentId: text(row.attachment_id),
    channel: text(row.channel),
    publishedAt: text(row.published_at),
  };
}

export class CaseStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #now: () => Date;

  constructor(options: CaseStoreOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.path = join(options.dataDir, 'cases.sqlite');
    this.#now = options.now ?? (() => new Date());
    this.#db = new DatabaseSync(this.path);
    // WAL and a busy timeout: two agents (nana, drummond) write the same file from one process.
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
    this.#db.exec(SCHEMA);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #timestamp(): string {
    return this.#now().toISOString();
  }

  getCase(id: string): CaseRecord | null {
    const row = this.#db.prepare('SELECT * FROM cases WHERE id = ?').get(id) as Row | undefined;
    return row ? toCase(row) : null;
  }

  openCase(input: {
    title: string;
    riskScore: number | null;
    riskLevel: string | null;
    anomaliesFound: number | null;
    runId: string | null;
    requestKey: string | null;
  }): CaseRecord {
    if (input.requestKey) {
      const existing = this.#db.prepare('SELECT * FROM cases WHERE request_key = ?').get(input.requestKey) as
        | Row
        | undefined;
      if (existing) return toCase(existing);
    }
    const id = `case-${randomUUID()}`;
    this.#db
      .prepare(
        `INSERT INTO cases (id, request_key, title, status, risk_score, risk_level, anomalies_found, run_id, opened_at)
         VALUES (?, ?, ?, 'OPEN', ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.requestKey,
        input.title,
        input.riskScore,
        input.riskLevel,
        input.anomaliesFound,
        input.runId,
        this.#timestamp(),
      );
    return this.getCase(id) as CaseRecord;
  }

  /** Marks the case withdrawn with a reason; a case already withdrawn is returned unchanged. */
  withdrawCase(id: string, reason: string): CaseRecord | null {
    const current = this.getCase(id);
    if (!current || current.status === 'WITHDRAWN') return current;
    this.#db
      .prepare("UPDATE cases SET status = 'WITHDRAWN', withdrawn_at = ?, withdraw_reason = ? WHERE id = ?")
      .run(this.#timestamp(), reason, id);
    return this.getCase(id);
  }

  attachReport(input: {
    caseId: string;
    title: string | null;
    markdown: string;
    requestKey: string | null;
  }): AttachmentRecord {
    if (input.requestKey) {
      const existing = this.#db
        .prepare('SELECT * FROM case_reports WHERE request_key = ?')
        .get(input.requestKey) as Row | undefined;
      if (existing) return toAttachment(existing);
    }
    const id = `report-${randomUUID()}`;
    this.#db
      .prepare(
        'INSERT INTO case_reports (id, request_key, case_id, title, markdown, attached_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, input.requestKey, input.caseId, input.title, input.markdown, this.#timestamp());
    return this.getAttachment(id) as AttachmentRecord;
  }

  getAttachment(id: string): AttachmentRecord | null {
    const row = this.#db.prepare('SELECT * FROM case_reports WHERE id = ?').get(id) as Row | undefined;
    return row ? toAttachment(row) : null;
  }

  attachments(caseId: string): AttachmentRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM case_reports WHERE case_id = ? ORDER BY attached_at, rowid')
      .all(caseId) as Row[];
    return rows.map(toAttachment);
  }

  /** Deletes the attachment; false when it was not there. */
  detachReport(id: string): boolean {
    return Number(this.#db.prepare('DELETE FROM case_reports WHERE id = ?').run(id).changes) > 0;
  }

  publications(caseId: string): PublicationRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM publications WHERE case_id = ? ORDER BY published_at, rowid')
      .all(caseId) as Row[];
    return rows.map(toPublication);
  }

  publicationsOfAttachment(attachmentId: string): PublicationRecord[] {
    const rows = this.#db
      .prepare('SELECT * FROM publications WHERE attachment_id = ? ORDER BY published_at, rowid')
      .all(attachmentId) as Row[];
    return rows.map(toPublication);
  }

  getPublication(id: string): PublicationRecord | null {
    const row = this.#db.prepare('SELECT * FROM publications WHERE id = ?').get(id) as Row | undefined;
    return row ? toPublication(row) : null;
  }

  publish(input: {
    caseId: string;
    attachmentId: string;
    channel: string;
    requestKey: string | null;
  }): PublicationRecord {
    if (input.requestKey) {
      const existing = this.#db
        .prepare('SELECT * FROM publications WHERE request_key = ?')
        .get(input.requestKey) as Row | undefined;
      if (existing) return toPublication(existing);
    }
    const id = `publication-${randomUUID()}`;
    this.#db
      .prepare(
        'INSERT INTO publications (id, request_key, case_id, attachment_id, channel, published_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, input.requestKey, input.caseId, input.attachmentId, input.channel, this.#timestamp());
    return this.getPublication(id) as PublicationRecord;
  }

  /** Deletes the publication; false when it was not there. */
  unpublish(id: string): boolean {
    return Number(this.#db.prepare('DELETE FROM publications WHERE id = ?').run(id).changes) > 0;
  }

  now(): Date {
    return this.#now();
  }
}

/** The key that makes a run step's write idempotent across retries; null outside a run. */
export function requestKeyOf(
  context: { runId: string | null; stepId: string | null },
  action: string,
): string | null {
  return context.runId && context.stepId ? `${context.runId}:${context.stepId}:${action}` : null;
}
