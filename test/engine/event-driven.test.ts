import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/engine/events.ts';
import { startEngine } from '../support/engine.ts';
import { collectEvents, drain, expectWellFormedLog, summary, waitForEnd } from '../support/events.ts';
import { controlled, fail, hang, reply, TestAgent } from '../support/test-agent.ts';

describe('EVENT_DRIVEN', () => {
  it('publishes the trigger with the input, fires steps on their events, and completes at the terminal step', async () => {
    const ingest = new TestAgent('ingest', {
      behaviours: { run: reply((p) => ({ contracts: p.contracts })) },
    });
    const detect = new TestAgent('detect', { behaviours: { run: reply({ anomalies: 2 }) } });
    const report = new TestAgent('report', { behaviours: { run: reply((p) => ({ report: p.event })) } });
    const { orchestrator } = await startEngine({ agents: [ingest, detect, report] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'contracts.received',
      steps: [
        {
          id: 'ingest',
          agent: 'ingest',
          action: 'run',
          on: 'contracts.received',
          emit: 'contracts.ingested',
        },
        {
          id: 'detect',
          agent: 'detect',
          action: 'run',
          on: 'contracts.ingested',
          emit: 'anomalies.detected',
        },
        {
          id: 'report',
          agent: 'report',
          action: 'run',
          on: 'anomalies.detected',
          terminal: true,
          inputMapping: { event: 'event' },
        },
      ],
    });
    const run = await orchestrator.executeWorkflow('ev', { contracts: [1, 2] }, { wait: true });
    expect(run.status).toBe('COMPLETED');
    expect(run.output).toEqual({
      report: { name: 'anomalies.detected', payload: { anomalies: 2 }, payloads: [{ anomalies: 2 }] },
    });
    // The default payload of a fired step: input, data and the event.
    expect(ingest.calls[0]?.payload).toEqual({
      contracts: [1, 2],
      event: {
        name: 'contracts.received',
        payload: { contracts: [1, 2] },
        payloads: [{ contracts: [1, 2] }],
      },
    });
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    expect(summary(events)).toEqual([
      'RUN_STARTED',
      'EVENT_EMITTED',
      'STEP_STARTED:ingest',
      'STEP_COMPLETED:ingest',
      'EVENT_EMITTED:ingest',
      'STEP_STARTED:detect',
      'STEP_COMPLETED:detect',
      'EVENT_EMITTED:detect',
      'STEP_STARTED:report',
      'STEP_COMPLETED:report',
      'RUN_COMPLETED',
    ]);
    expect(events[1]).toMatchObject({
      message: 'event "contracts.received" published by the trigger',
      data: { event: 'contracts.received', publishedBy: null, publication: 1 },
    });
    expect(events[4]?.data).toEqual({ event: 'contracts.ingested', publishedBy: 'ingest', publication: 1 });
  });

  it('a step with several "on" events fires once all of them were published', async () => {
    const left = new TestAgent('left', { behaviours: { run: controlled() } });
    const right = new TestAgent('right', { behaviours: { run: controlled() } });
    const join = new TestAgent('join', { behaviours: { run: reply((p) => p.event ?? null) } });
    const { orchestrator } = await startEngine({ agents: [left, right, join] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'go',
      steps: [
        { id: 'left', agent: 'left', action: 'run', on: 'go', emit: 'left.done' },
        { id: 'right', agent: 'right', action: 'run', on: 'go', emit: 'right.done' },
        {
          id: 'join',
          agent: 'join',
          action: 'run',
          on: ['left.done', 'right.done'],
          terminal: true,
          inputMapping: { event: 'event' },
        },
      ],
    });
    const run = await orchestrator.executeWorkflow('ev', {});
    await left.waitForCalls(1);
    await right.waitForCalls(1);
    left.calls[0]?.resolve('L');
    await left.waitForSettled(1);
    expect(join.calls).toHaveLength(0);
    right.calls[0]?.resolve('R');
    const ended = await waitForEnd(orchestrator, run.id);
    expect(ended.output).toEqual({
      names: ['left.done', 'right.done'],
      payloads: { 'left.done': 'L', 'right.done': 'R' },
    });
    expect(join.calls).toHaveLength(1);
  });

  it('gather: a step fires once its single event was published that many times, and sees every payload', async () => {
    const a = new TestAgent('a', { behaviours: { run: reply('from a') } });
    const b = new TestAgent('b', { behaviours: { run: reply('from b') } });
    const g = new TestAgent('g', {
      behaviours: { run: reply((p) => (p.event as { payloads: unknown[] }).payloads as never) },
    });
    const { orchestrator } = await startEngine({ agents: [a, b, g] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'go',
      steps: [
        { id: 'a', agent: 'a', action: 'run', on: 'go', emit: 'part' },
        { id: 'b', agent: 'b', action: 'run', on: 'go', emit: 'part' },
        { id: 'gather', agent: 'g', action: 'run', on: 'part', gather: 2, terminal: true },
      ],
    });
    const run = await orchestrator.executeWorkflow('ev', {}, { wait: true });
    expect(run.status).toBe('COMPLETED');
    expect(run.output).toEqual(['from a', 'from b']);
    expect(g.calls).toHaveLength(1);
    const emitted = (await collectEvents(orchestrator, run.id)).filter((e) => e.type === 'EVENT_EMITTED');
    expect(emitted.map((e) => [e.data?.event, e.data?.publication])).toEqual([
      ['go', 1],
      ['part', 1],
      ['part', 2],
    ]);
  });

  it('terminal completion cancels the steps still in flight', async () => {
    const fast = new TestAgent('fast', { behaviours: { run: reply('fast wins') } });
    const slow = new TestAgent('slow', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({ agents: [fast, slow] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'go',
      steps: [
        { id: 'slow', agent: 'slow', action: 'run', on: 'go' },
        { id: 'fast', agent: 'fast', action: 'run', on: 'go', terminal: true },
      ],
    });
    const run = await orchestrator.executeWorkflow('ev', {}, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: 'fast wins' });
    expect(slow.calls[0]?.signal.aborted).toBe(true);
    const events = await collectEvents(orchestrator, run.id);
    expectWellFormedLog(events);
    const slowFailed = events.find((e) => e.type === 'STEP_FAILED' && e.stepId === 'slow');
    expect(slowFailed?.data).toMatchObject({
      status: 'CANCELLED',
      error: { kind: 'CANCELLED', message: 'terminal step "fast" completed' },
    });
  });

  it('a stalled choreography (a terminal step can no longer fire) fails with a diagnostic', async () => {
    const a = new TestAgent('a', { behaviours: { run: fail(new Error('parser crashed')) } });
    const t = new TestAgent('t');
    const { orchestrator } = await startEngine({ agents: [a, t] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'go',
      steps: [
        { id: 'parse', agent: 'a', action: 'run', on: 'go', emit: 'parsed', continueOnError: true },
        { id: 'finish', agent: 't', action: 'run', on: 'parsed', gather: 1, terminal: true },
      ],
    });
    const run = await orchestrator.executeWorkflow('ev', {}, { wait: true });
    expect(run.status).toBe('FAILED');
    expect(run.error).toEqual({
      kind: 'WORKFLOW_FAILURE',
      message:
        'the choreography stalled: nothing is running and nothing can fire, and terminal step "finish" never completed; "finish" waits for "parsed" (0 of 1)',
    });
    expect(t.calls).toHaveLength(0);
  });

  it('without a terminal step completes when quiescent, with the last output', async () => {
    const a = new TestAgent('a', { behaviours: { run: reply({ step: 'a' }) } });
    const b = new TestAgent('b', { behaviours: { run: reply({ step: 'b' }) } });
    const { orchestrator } = await startEngine({ agents: [a, b] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'go',
      steps: [
        { id: 'a', agent: 'a', action: 'run', on: 'go', emit: 'a.done' },
        { id: 'b', agent: 'b', action: 'run', on: 'a.done' },
      ],
    });
    const run = await orchestrator.executeWorkflow('ev', {}, { wait: true });
    expect(run).toMatchObject({ status: 'COMPLETED', output: { step: 'b' } });
  });

  it('a failed step (without continueOnError) fails the run and cancels the others', async () => {
    const bad = new TestAgent('bad', { behaviours: { run: fail(new Error('bad')) } });
    const slow = new TestAgent('slow', { behaviours: { run: hang() } });
    const { orchestrator } = await startEngine({ agents: [bad, slow] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'go',
      steps: [
        { id: 'slow', agent: 'slow', action: 'run', on: 'go' },
        { id: 'bad', agent: 'bad', action: 'run', on: 'go' },
      ],
    });
    const run = await orchestrator.executeWorkflow('ev', {}, { wait: true });
    expect(run).toMatchObject({ status: 'FAILED', error: { message: 'agent "bad" failed: bad' } });
    expect(slow.calls[0]?.signal.aborted).toBe(true);
    expectWellFormedLog(await collectEvents(orchestrator, run.id));
  });

  it('publishEvent from outside starts a run of every workflow it triggers, with triggeredBy and the payload as input', async () => {
    const a = new TestAgent('a', { behaviours: { run: reply((p) => ({ got: p.n ?? null })) } });
    const { orchestrator, bus } = await startEngine({ agents: [a] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'contracts.ingested',
      steps: [{ id: 'a', agent: 'a', action: 'run', on: 'contracts.ingested', emit: 'scored' }],
    });
    const domain = orchestrator.domainEvents();
    const { event, runs } = await orchestrator.publishEvent('contracts.ingested', { n: 5 });
    expect(event).toMatchObject({ name: 'contracts.ingested', payload: { n: 5 }, runId: null });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      workflowId: 'ev',
      status: 'RUNNING',
      triggeredBy: 'contracts.ingested',
      input: { n: 5 },
    });
    const ended = await waitForEnd(orchestrator, runs[0]!.id);
    expect(ended).toMatchObject({
      status: 'COMPLETED',
      triggeredBy: 'contracts.ingested',
      output: { got: 5 },
    });
    const started = (await collectEvents(orchestrator, ended.id))[0];
    expect(started?.data).toMatchObject({ triggeredBy: 'contracts.ingested' });
    const seen: DomainEvent[] = [];
    for (let i = 0; i < 3; i++) seen.push((await domain.next()).value as DomainEvent);
    await domain.return();
    expect(seen.map((e) => [e.name, e.runId, e.payload])).toEqual([
      ['contracts.ingested', null, { n: 5 }],
      ['contracts.ingested', ended.id, { n: 5 }],
      ['scored', ended.id, { got: 5 }],
    ]);
    expect(bus.listenerCount('domain.events')).toBe(0);
    // An event nobody listens to starts nothing; a malformed one is rejected.
    expect((await orchestrator.publishEvent('unrelated', {})).runs).toEqual([]);
    await expect(orchestrator.publishEvent('bad name!', [])).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [
        { path: 'name', message: 'must be an event name such as "contracts.ingested"' },
        { path: 'payload', message: 'must be a JSON object' },
      ],
    });
  });

  it('domainEvents(name) filters by name and wraps non-object outputs as { value }', async () => {
    const a = new TestAgent('a', { behaviours: { run: reply(42) } });
    const { orchestrator } = await startEngine({ agents: [a] });
    await orchestrator.registerWorkflow({
      id: 'ev',
      name: 'ev',
      pattern: 'EVENT_DRIVEN',
      trigger: 'go',
      steps: [{ id: 'a', agent: 'a', action: 'run', on: 'go', emit: 'answer' }],
    });
    const answers = orchestrator.domainEvents('answer');
    const run = await orchestrator.executeWorkflow('ev', {}, { wait: true });
    const first = await answers.next();
    expect(first.value).toMatchObject({ name: 'answer', payload: { value: 42 }, runId: run.id });
    await answers.return();
    expect(await drain(answers)).toEqual([]);
  });
});
