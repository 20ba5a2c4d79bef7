/**
 * How `orquestra investigate` shows a run: one line per step outcome (status, attempt, duration), retries,
 * fallbacks and compensations as they happen, a progress line that keeps time on a terminal, plain
 * lines when piped, and the summary at the end.
 */

import type { Writable } from 'node:stream';

export interface RunEventLine {
  seq: number;
  type: string;
  stepId: string | null;
  agent: string | null;
  attempt: number | null;
  at: string;
  message: string;
  data: unknown;
}

interface Finding {
  type?: string;
  severity?: string;
  title?: string;
  contractIds?: string[];
  score?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class RunDisplay {
  readonly #out: Writable & { isTTY?: boolean; columns?: number };
  readonly #tty: boolean;
  readonly #color: boolean;
  readonly #info: { runId: string; workflow: string };
  readonly #running = new Map<string, { label: string; agent: string }>();
  #lastSeq = 0;
  #done = 0;
  #startedAt = Date.now();
  #timer: ReturnType<typeof setInterval> | null = null;
  #frame = 0;

  constructor(
    out: Writable & { isTTY?: boolean; columns?: number },
    info: { runId: string; workflow: string },
  ) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#color = this.#tty && !process.env.NO_COLOR;
    this.#info = info;
  }

  start(): void {
    this.#startedAt = Date.now();
    this.#write(`${this.#bold('investigating')} with ${this.#info.workflow}\nrun ${this.#info.runId}\n\n`);
    if (this.#tty) {
      this.#timer = setInterval(() => this.#drawStatus(), 100);
      this.#timer.unref();
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#tty) this.#write('\r\x1b[2K');
  }

  event(event: RunEventLine): void {
    // After a reconnect the subscription replays from the start: keep what was already shown.
    if (event.seq <= this.#lastSeq) return;
    this.#lastSeq = event.seq;
    const data = (event.data ?? {}) as Record<string, unknown>;
    const label = stepLabel(event.stepId, data.itemIndex);
    const key = `${data.execution ?? label}`;
    switch (event.type) {
      case 'STEP_STARTED':
        this.#running.set(key, { label, agent: event.agent ?? '' });
        break;
      case 'STEP_COMPLETED':
        this.#running.delete(key);
        this.#done++;
        this.#line(
          this.#green('✓'),
          label,
          event.agent,
          'completed',
          `attempt ${event.attempt ?? 1}`,
          ms(data.durationMs),
        );
        break;
      case 'STEP_FAILED':
        this.#running.delete(key);
        this.#done++;
        this.#line(
          this.#red('✗'),
          label,
          event.agent,
          String(data.status ?? 'failed').toLowerCase(),
          `attempt ${event.attempt ?? 1}`,
          `${ms(data.durationMs)}  ${errorOf(data)}`,
        );
        break;
      case 'STEP_SKIPPED':
        this.#done++;
        this.#line(
          this.#dim('–'),
          label,
          null,
          'skipped',
          '',
          data.reason === 'CONDITION_FALSE' ? 'condition not met' : event.message,
        );
        break;
      case 'STEP_RETRYING':
        this.#line(
          this.#yellow('↻'),
          label,
          event.agent,
          'retrying',
          `attempt ${event.attempt ?? ''}`,
          `in ${ms(data.delayMs)}: ${errorOf(data)}`,
        );
        break;
      case 'STEP_TIMED_OUT':
        this.#line(
          this.#yellow('⏱'),
          label,
          event.agent,
          'timed out',
          `attempt ${event.attempt ?? ''}`,
          `after ${ms(data.timeoutMs)}`,
        );
        break;
      case 'STEP_FALLBACK':
        this.#line(
          this.#yellow('⇄'),
          label,
          event.agent,
          'fallback',
          '',
          `from ${String(data.from ?? '?')}: ${errorOf(data)}`,
        );
        break;
      case 'COMPENSATION_STARTED':
        this.#running.set(key, { label: `undo ${label}`, agent: event.agent ?? '' });
        break;
      case 'COMPENSATION_COMPLETED':
        this.#running.delete(key);
        this.#line(this.#yellow('↶'), `undo ${label}`, event.agent, 'compensated', '', ms(data.durationMs));
        break;
      case 'COMPENSATION_FAILED':
        this.#running.delete(key);
        this.#line(this.#red('↶'), `undo ${label}`, event.agent, 'failed', '', errorOf(data));
        break;
      case 'EVENT_EMITTED':
        this.#line(
          this.#dim('⚑'),
          `event ${String(data.event ?? '')}`,
          null,
          'published',
          '',
          event.stepId ? `by ${event.stepId}` : 'by the trigger',
        );
        break;
      default:
        break;
    }
  }

  summary(result: {
    status: string;
    durationMs: number | null;
    error: string | null;
    output: unknown;
    reportPath: string | null;
  }): void {
    const out: string[] = [''];
    const status = result.status === 'COMPLETED' ? this.#green(result.status) : this.#red(result.status);
    out.push(`${this.#bold('run')} ${this.#info.runId} ${status} in ${ms(result.durationMs)}`);
    if (result.error) out.push(`  ${result.error}`);
    const output = (result.output ?? {}) as Record<string, unknown>;
    if (typeof output.riskLevel === 'string') {
      const findings = Array.isArray(output.findings) ? (output.findings as Finding[]) : [];
      out.push(
        `risk ${this.#bold(output.riskLevel)} (${Number(output.riskScore ?? 0).toFixed(1)}/10), ` +
          `${String(output.anomaliesFound ?? 0)} anomalies, ${findings.length} findings`,
      );
      const top = [...findings].sort((a, b) => (b.score ?? 0) - (a.score ?? 0)).slice(0, 8);
      if (top.length) out.push('top findings:');
      for (const f of top) {
        const ids =
          (f.contractIds ?? []).slice(0, 4).join(', ') + ((f.contractIds?.length ?? 0) > 4 ? ', …' : '');
        out.push(
          `  ${pad(f.severity ?? '', 8)} ${pad(f.type ?? '', 24)} ${f.title ?? ''}${ids ? this.#dim(`  [${ids}]`) : ''}`,
        );
      }
    }
    if (Array.isArray(output.ranking)) {
      out.push('agencies by risk:');
      for (const entry of (output.ranking as Record<string, unknown>[]).slice(0, 10)) {
        const name = String(entry.agencyName ?? entry.label ?? '');
        out.push(
          `  ${pad(String(entry.rank ?? ''), 3)} ${pad(name, 36)} ${pad(String(entry.riskLevel ?? ''), 7)} ${pad(String(entry.riskScore ?? ''), 5)}` +
            `${typeof entry.anomaliesFound === 'number' ? ` ${entry.anomaliesFound} anomalies in ${String(entry.contractsAnalyzed ?? '?')} contracts` : ''}`,
        );
      }
    }
    if (result.reportPath) out.push(`report: ${result.reportPath}`);
    this.#write(`${out.join('\n')}\n`);
  }

  #line(
    mark: string,
    label: string,
    agent: string | null,
    status: string,
    attempt: string,
    detail: string,
  ): void {
    const text =
      `  ${mark} ${pad(label, 22)} ${pad(agent ?? '', 11)} ${pad(status, 12)} ${pad(attempt, 10)} ${detail}`.trimEnd();
    if (this.#tty) this.#write(`\r\x1b[2K${text}\n`);
    else this.#write(`${text}\n`);
    this.#drawStatus();
  }

  #drawStatus(): void {
    if (!this.#tty || !this.#timer) return;
    const elapsed = ((Date.now() - this.#startedAt) / 1000).toFixed(1);
    const running = [...this.#running.values()].map((r) => `${r.label}${r.agent ? ` (${r.agent})` : ''}`);
    const now = running.length
      ? `running ${running.slice(0, 3).join(', ')}${running.length > 3 ? ` +${running.length - 3}` : ''}`
      : 'waiting';
    const frame = SPINNER[this.#frame++ % SPINNER.length];
    const line = `${frame} ${this.#done} step(s) done · ${now} · ${elapsed} s`;
    const width = this.#out.columns ?? 100;
    this.#write(`\r\x1b[2K${this.#dim(line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line)}`);
  }

  #write(text: string): void {
    this.#out.write(text);
  }

  #paint = (code: number) => (text: string) => (this.#color ? `\x1b[${code}m${text}\x1b[0m` : text);
  #green = this.#paint(32);
  #red = this.#paint(31);
  #yellow = this.#paint(33);
  #dim = this.#paint(2);
  #bold = this.#paint(1);
}

function stepLabel(stepId: string | null, itemIndex: unknown): string {
  return typeof itemIndex === 'number' ? `${stepId ?? ''}[${itemIndex}]` : (stepId ?? '');
}

function ms(value: unknown): string {
  if (typeof value !== 'number') return '';
  return value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(1)} s`;
}

function errorOf(data: Record<string, unknown>): string {
  const error = data.error as { message?: string } | undefined;
  return error?.message ?? '';
}

const pad = (text: string, width: number) =>
  text.length >= width ? text : text + ' '.repeat(width - text.length);
