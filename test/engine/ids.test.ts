import { describe, expect, it } from 'vitest';
import { newRunId } from '../../src/engine/ids.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newRunId', () => {
  it('makes UUIDv7 strings whose first 48 bits are the time in milliseconds', () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    const id = newRunId(now);
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it('keeps ids increasing within one millisecond and across a backwards clock step', () => {
    const now = Date.UTC(2027, 0, 1);
    const ids = [newRunId(now), newRunId(now), newRunId(now), newRunId(now - 5), newRunId(now + 1)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws distinct random bits for every id, past the end of one random pool', () => {
    const now = Date.UTC(2027, 1, 1);
    const randomParts = new Set<string>();
    for (let i = 0; i < 5_000; i++) {
      const id = newRunId(now + Math.floor(i / 4_000));
      expect(id).toMatch(UUID_V7);
      randomParts.add(id.slice(19));
    }
    expect(randomParts.size).toBe(5_000);
  });
});
