// One ESM bundle per entry point; the AWS SDK is bundled because the runtime's own copy imports slower.
import { build } from 'esbuild';

const entries = {
  'cli/phoenix': 'functions/cli/bin.ts',
  'functions/recycle/index': 'functions/recycle.ts',
};

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  sourcemap: false,
  logLevel: 'warning',
  // Bundled CommonJS dependencies call require(); ESM output needs it defined.
  banner: { js: "import { createRequire as phoenixCreateRequire } from 'node:module'; const require = phoenixCreateRequire(import.meta.url);" },
});
