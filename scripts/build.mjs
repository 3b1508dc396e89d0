// One ESM bundle per entry point. The AWS SDK is bundled (the runtime's own copy imports slower) and
// the Lambda bundles are minified to stay well under the zip size target.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { build } from 'esbuild';
import { sdkSchemaKeys } from './sdk-schema-keys.mjs';

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
  'functions/recycler/index': 'functions/recycler.ts',
  'functions/verifier/index': 'functions/verifier.ts',
  'functions/reporter/index': 'functions/reporter.ts',
  'functions/tainter/index': 'functions/tainter.ts',
};

/**
 * Each Lambda function gets a directory of its own (dist/functions/<name>/: the entry and its chunks),
 * which is what its package holds. Code splitting turns the SDK's dynamic imports (the credential
 * providers other than the environment's, which Lambda uses, and their SSO/STS clients) into chunks
 * that are loaded only if ever needed, so a cold start does not parse them.
 */
async function buildFunction(entry, source) {
  const outdir = join(common.outdir, dirname(entry));
  const result = await build({
    ...common,
    entryPoints: { [basename(entry)]: source },
    outdir,
    splitting: true,
    minify: true,
    metafile: true,
    plugins: [sdkSchemaKeys],
  });
  // Chunk names carry content hashes: remove the chunks of earlier builds, so the package holds this build alone.
  const written = new Set(Object.keys(result.metafile.outputs).map((path) => basename(path)));
  for (const file of readdirSync(outdir)) if (!written.has(file)) rmSync(join(outdir, file));
}

const directories = Object.keys(FUNCTIONS).map((entry) => dirname(entry));
if (new Set(directories).size !== directories.length) throw new Error(`each function needs a directory of its own: ${directories.join(', ')}`);
// A renamed or removed function's directory from an earlier build would linger, and the bench measures every directory there.
const functionsDir = join(common.outdir, 'functions');
if (existsSync(functionsDir))
  for (const dir of readdirSync(functionsDir)) if (!directories.includes(`functions/${dir}`)) rmSync(join(functionsDir, dir), { recursive: true });

await Promise.all([
  ...Object.entries(FUNCTIONS).map(([entry, source]) => buildFunction(entry, source)),
  build({ ...common, entryPoints: { 'cli/phoenix': 'functions/cli/bin.ts', 'bench/bench': 'test/bench/bench.ts' } }),
]);
