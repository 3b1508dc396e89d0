// One ESM bundle per entry point. The AWS SDK is bundled (the runtime's own copy imports slower) and
// the Lambda bundles are minified to stay well under the zip size target.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  // The SDK's ESM builds are about half the size of its CommonJS ones.
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  // Bundled CommonJS dependencies call require(); ESM output needs it defined.
  banner: { js: "import { createRequire as phoenixCreateRequire } from 'node:module'; const require = phoenixCreateRequire(import.meta.url);" },
};

const FUNCTIONS = {
  'functions/recycle/index': 'functions/recycle.ts',
  'functions/verify/index': 'functions/verify.ts',
};

await Promise.all([
  build({ ...common, entryPoints: FUNCTIONS, minify: true }),
  build({ ...common, entryPoints: { 'cli/phoenix': 'functions/cli/bin.ts', 'bench/bench': 'test/bench/bench.ts' } }),
]);
