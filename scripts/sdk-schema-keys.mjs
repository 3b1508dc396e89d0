// An esbuild plugin that lets the bundle drop the AWS SDK schemas Phoenix never reaches.
//
// The SDK's generated schema modules write trait objects with computed keys that name module
// constants (`const _eQN = "ec2QueryName"; ... { [_eQN]: ... }`). esbuild cannot prove a computed key
// free of side effects, so it keeps every schema of a service: all of EC2's (550 KB minified) for the
// two operations Phoenix calls, and parsing them was most of a function's cold start. Writing the
// constant's string literal in place of each such key changes nothing at run time and lets esbuild's
// tree shaking do its job. Upstream: aws/aws-sdk-js-v3#7607, smithy-lang/smithy-typescript#1889; once
// the SDK emits literal keys itself, this plugin finds nothing to replace.
import { readFile } from 'node:fs/promises';

const SCHEMA_MODULE = /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:[^\\/]+[\\/])*schemas[\\/]schemas_\d+\.js$/;
// Only top-level string constants without escapes: anything else is left as the SDK wrote it.
const STRING_CONSTANT = /^const (_\w+) = ("[^"\\\n]*");$/gm;
const CONSTANT_KEY = /\[(_\w+)\]:/g;

export const sdkSchemaKeys = {
  name: 'sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_MODULE }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const strings = new Map(Array.from(source.matchAll(STRING_CONSTANT), ([, name, literal]) => [name, literal]));
      const contents = source.replace(CONSTANT_KEY, (key, name) => (strings.has(name) ? `${strings.get(name)}:` : key));
      return { contents, loader: 'js' };
    });
  },
};
