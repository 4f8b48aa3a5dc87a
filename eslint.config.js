import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers (docs/architecture.md): core <- operators, config <- edges <- app. An import that
// points up a layer is an error; test/architecture/imports.test.ts also forbids cycles.
const CORE = ['src/types.ts', 'src/errors.ts', 'src/formatIssues.ts', 'src/records/**', 'src/stats/**', 'src/model/**', 'src/eval/**', 'src/drift/**', 'src/tune/**'];
const EDGES = ['src/sources/**', 'src/sinks/**', 'src/telemetry/**', 'src/checkpoint/**', 'src/export/**', 'src/sync/**'];

const nodeIo = {
  regex: '^node:(fs|fs/promises|net|http|https|http2|child_process|worker_threads|dgram|tls|readline|os|process)$',
  message: 'the core does no I/O: move this to an edge (sources, sinks, telemetry, checkpoint).',
};
const ioLibraries = {
  regex: '^(kafkajs|prom-client|pino|commander|fast-csv|yaml)($|/)',
  message: 'I/O libraries live in the edges (sources, sinks, telemetry, checkpoint) or the app (commands, cli).',
};
const rxjs = { regex: '^rxjs($|/)', message: 'the core has no rxjs: streams are wired in operators/ and src/pipeline.ts.' };
const operators = { regex: '(^|/)operators/', message: 'operators sit above the core: pass what the core needs as plain values.' };
const edges = {
  regex: '(^|/)(sources|sinks|telemetry|checkpoint|export|sync)/',
  message: 'edges (I/O) sit above this layer: inject what you need instead of importing it.',
};
const app = {
  regex: '(^|/)(commands|training)/|(^|/)(pipeline|cli|index)\\.js$',
  message: 'the app layer (pipeline, training, commands, cli) is the top: nothing below imports it.',
};
const config = { regex: '(^|/)config\\.js$', message: 'config sits above the core: pass settings in as plain values.' };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tmp/', '.venv-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  { files: CORE, rules: { 'no-restricted-imports': ['error', { patterns: [nodeIo, ioLibraries, rxjs, operators, config, edges, app] }] } },
  { files: ['operators/**'], rules: { 'no-restricted-imports': ['error', { patterns: [nodeIo, ioLibraries, config, edges, app] }] } },
  { files: ['src/config.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [rxjs, operators, edges, app] }] } },
  { files: EDGES, rules: { 'no-restricted-imports': ['error', { patterns: [operators, app] }] } },
);
