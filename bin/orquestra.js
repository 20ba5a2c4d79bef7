#!/usr/bin/env node
// The orquestra command. The sources are TypeScript run directly by Node's type stripping, which is
// on by default from Node 22.18 and behind a flag on 22.12-22.17: re-run with the flag there.
import { spawnSync } from 'node:child_process';

if (!process.features.typescript) {
  const result = spawnSync(
    process.execPath,
    ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', ...process.argv.slice(1)],
    {
      stdio: 'inherit',
    },
  );
  process.exit(result.status ?? 1);
}

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
