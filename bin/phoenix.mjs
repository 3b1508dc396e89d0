#!/usr/bin/env node
// The CLI is built by `npm install`/`npm ci` (the prepare script) into dist/.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli/phoenix.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('phoenix: dist/cli/phoenix.mjs is missing: run `npm ci` or `npm run build` first\n');
  process.exit(1);
}
await import(bundle.href);
