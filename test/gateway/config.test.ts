/**
 * Configuration from the environment: defaults that give a working loopback gateway, every malformed
 * value reported at once with the variable's name (and secrets masked), and `isLoopback`.
 */

import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopback, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 4000,
      databaseUrl: 'sqlite:./data/orquestra.db',
      dataDir: './data',
      redisUrl: null,
      instanceId: 'default',
      apiKeys: null,
      retention: null,
      bodyLimitBytes: 4 * 1024 * 1024,
      shutdownGraceMs: 10_000,
      production: false,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ORQUESTRA_HOST: '0.0.0.0',
      ORQUESTRA_PORT: '0',
      ORQUESTRA_DATABASE_URL: 'postgres://db/orquestra',
      ORQUESTRA_DATA_DIR: '/var/lib/orquestra',
      ORQUESTRA_REDIS_URL: 'redis://cache:6379',
      ORQUESTRA_INSTANCE_ID: 'gateway-2',
      ORQUESTRA_API_KEYS: 'viewer-key-1:viewer, ops:key:with:colons:operator ,admin-key-01:admin',
      ORQUESTRA_RETENTION: 'maxAge=30d, maxRuns=1000',
      ORQUESTRA_BODY_LIMIT: '512k',
      ORQUESTRA_SHUTDOWN_GRACE_MS: '2500',
      NODE_ENV: 'production',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      databaseUrl: 'postgres://db/orquestra',
      dataDir: '/var/lib/orquestra',
      redisUrl: 'redis://cache:6379',
      instanceId: 'gateway-2',
      retention: { maxAgeMs: 30 * 86_400_000, maxFinishedRuns: 1000 },
      bodyLimitBytes: 512 * 1024,
      shutdownGraceMs: 2500,
      production: true,
    });
    expect(config.apiKeys).toEqual(
      new Map([
        ['viewer-key-1', 'viewer'],
        ['ops:key:with:colons', 'operator'],
        ['admin-key-01', 'admin'],
      ]),
    );
  });

  it('reports every malformed value at once, naming the variable and masking secrets', () => {
    let error: unknown;
    try {
      loadConfig({
        ORQUESTRA_PORT: '70000',
        ORQUESTRA_API_KEYS:
          'supersecretkey:root,short:viewer,another-secret-key:admin,another-secret-key:viewer',
        ORQUESTRA_RETENTION: 'maxAge=forever,keep=3',
        ORQUESTRA_BODY_LIMIT: '4 gigabytes',
        ORQUESTRA_SHUTDOWN_GRACE_MS: '-1',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.split('\n')).toEqual([
      'invalid configuration:',
      '  - ORQUESTRA_PORT="70000": expected an integer between 0 and 65535',
      '  - ORQUESTRA_API_KEYS entry "su…ot": expected key:role with role one of viewer, operator, admin',
      '  - ORQUESTRA_API_KEYS key "sh…rt" is shorter than 8 characters',
      '  - ORQUESTRA_API_KEYS key "an…ey" is given twice',
      '  - ORQUESTRA_RETENTION maxAge="forever": expected a duration such as 30d, 12h or 90m',
      '  - ORQUESTRA_RETENTION "keep=3": expected maxAge=<duration> and/or maxRuns=<count>',
      '  - ORQUESTRA_BODY_LIMIT="4 gigabytes": expected bytes, e.g. 4194304, 512k or 4m',
      '  - ORQUESTRA_SHUTDOWN_GRACE_MS="-1": expected an integer between 0 and 3600000',
    ]);
    expect(message).not.toContain('supersecretkey');
    expect(message).not.toContain('another-secret-key');
  });

  it('refuses API keys that are set but name no key, and a zero body limit', () => {
    expect(() => loadConfig({ ORQUESTRA_API_KEYS: ' , ' })).toThrow(
      'ORQUESTRA_API_KEYS is set but names no key',
    );
    expect(() => loadConfig({ ORQUESTRA_BODY_LIMIT: '0' })).toThrow(
      'ORQUESTRA_BODY_LIMIT="0": must be at least 1 byte',
    );
    expect(loadConfig({ ORQUESTRA_API_KEYS: '  ' }).apiKeys).toBeNull();
  });
});

describe('isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['example.com', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});
