/**
 * Configuration from the environment, read once at start-up.
 *
 * Every setting has a default that gives a working embedded gateway, and a malformed value stops the
 * start with a message naming the variable and what it expects, rather than running half-configured.
 */

import { ROLES, type Role } from './schema/context.ts';

export interface GatewayConfig {
  /** `ORQUESTRA_HOST`, default 127.0.0.1. */
  host: string;
  /** `ORQUESTRA_PORT`, default 4000 (0 picks a free port). */
  port: number;
  /** `ORQUESTRA_DATABASE_URL`, default `sqlite:./data/orquestra.db`. */
  databaseUrl: string;
  /** `ORQUESTRA_DATA_DIR`: where agents keep their records (cases, publications). Default `./data`. */
  dataDir: string;
  /**
   * `ORQUESTRA_REDIS_URL`: a Redis shared by several gateway instances (on one PostgreSQL), so that each
   * sees every run's events; null runs the in-process bus.
   */
  redisUrl: string | null;
  /**
   * `ORQUESTRA_INSTANCE_ID`: this instance's stable name (its runs are its own to mark interrupted after
   * a crash). Each instance sharing a database needs a distinct one. Default `default`.
   */
  instanceId: string;
  /** `ORQUESTRA_API_KEYS` as `key:role,…`; null when unset (an open gateway, loopback only). */
  apiKeys: Map<string, Role> | null;
  /** `ORQUESTRA_RETENTION` as `maxAge=30d,maxRuns=100000`; null keeps everything. */
  retention: { maxAgeMs?: number; maxFinishedRuns?: number } | null;
  /** `ORQUESTRA_BODY_LIMIT` in bytes (suffixes k, m), default 4 MiB. */
  bodyLimitBytes: number;
  /** `ORQUESTRA_SHUTDOWN_GRACE_MS`: how long runs may finish on SIGTERM before they are interrupted. Default 10 s. */
  shutdownGraceMs: number;
  /** `NODE_ENV=production`: masked errors, no field suggestions. */
  production: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const problems: string[] = [];
  const port = integer(env.ORQUESTRA_PORT, 4000, 'ORQUESTRA_PORT', 0, 65_535, problems);
  const config: GatewayConfig = {
    host: env.ORQUESTRA_HOST?.trim() || '127.0.0.1',
    port,
    databaseUrl: env.ORQUESTRA_DATABASE_URL?.trim() || 'sqlite:./data/orquestra.db',
    dataDir: env.ORQUESTRA_DATA_DIR?.trim() || './data',
    redisUrl: env.ORQUESTRA_REDIS_URL?.trim() || null,
    instanceId: env.ORQUESTRA_INSTANCE_ID?.trim() || 'default',
    apiKeys: parseApiKeys(env.ORQUESTRA_API_KEYS, problems),
    retention: parseRetention(env.ORQUESTRA_RETENTION, problems),
    bodyLimitBytes: parseBytes(env.ORQUESTRA_BODY_LIMIT, 4 * 1024 * 1024, problems),
    shutdownGraceMs: integer(
      env.ORQUESTRA_SHUTDOWN_GRACE_MS,
      10_000,
      'ORQUESTRA_SHUTDOWN_GRACE_MS',
      0,
      3_600_000,
      problems,
    ),
    production: env.NODE_ENV === 'production',
  };
  if (problems.length) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function integer(
  raw: string | undefined,
  fallback: number,
  name: string,
  min: number,
  max: number,
  problems: string[],
): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}="${raw}": expected an integer between ${min} and ${max}`);
    return fallback;
  }
  return value;
}

function parseApiKeys(raw: string | undefined, problems: string[]): Map<string, Role> | null {
  if (raw === undefined || raw.trim() === '') return null;
  const keys = new Map<string, Role>();
  const reported = problems.length;
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const separator = entry.lastIndexOf(':');
    const key = entry.slice(0, separator);
    const role = entry.slice(separator + 1) as Role;
    if (separator < 1 || !ROLES.includes(role)) {
      problems.push(
        `ORQUESTRA_API_KEYS entry "${mask(entry)}": expected key:role with role one of ${ROLES.join(', ')}`,
      );
    } else if (key.length < 8) {
      problems.push(`ORQUESTRA_API_KEYS key "${mask(key)}" is shorter than 8 characters`);
    } else if (keys.has(key)) {
      problems.push(`ORQUESTRA_API_KEYS key "${mask(key)}" is given twice`);
    } else {
      keys.set(key, role);
    }
  }
  // Set but empty (e.g. ","): whoever set it meant to require keys, not to leave the gateway open.
  if (keys.size === 0 && problems.length === reported)
    problems.push('ORQUESTRA_API_KEYS is set but names no key');
  return keys.size ? keys : null;
}

function parseRetention(raw: string | undefined, problems: string[]): GatewayConfig['retention'] {
  if (raw === undefined || raw.trim() === '') return null;
  const retention: NonNullable<GatewayConfig['retention']> = {};
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value = ''] = part.split('=').map((s) => s.trim());
    if (name === 'maxAge') {
      const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
      if (match) retention.maxAgeMs = Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
      else
        problems.push(`ORQUESTRA_RETENTION maxAge="${value}": expected a duration such as 30d, 12h or 90m`);
    } else if (name === 'maxRuns') {
      const count = Number(value);
      if (Number.isInteger(count) && count >= 1) retention.maxFinishedRuns = count;
      else problems.push(`ORQUESTRA_RETENTION maxRuns="${value}": expected a positive integer`);
    } else {
      problems.push(`ORQUESTRA_RETENTION "${part}": expected maxAge=<duration> and/or maxRuns=<count>`);
    }
  }
  return retention;
}

function parseBytes(raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const match = /^(\d+)\s*([kKmM]?)$/.exec(raw.trim());
  if (!match) {
    problems.push(`ORQUESTRA_BODY_LIMIT="${raw}": expected bytes, e.g. 4194304, 512k or 4m`);
    return fallback;
  }
  const unit = match[2]?.toLowerCase();
  const bytes = Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
  if (bytes < 1) {
    problems.push(`ORQUESTRA_BODY_LIMIT="${raw}": must be at least 1 byte`);
    return fallback;
  }
  return bytes;
}

const mask = (secret: string) => (secret.length <= 4 ? '****' : `${secret.slice(0, 2)}…${secret.slice(-2)}`);
