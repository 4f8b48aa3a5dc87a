import { stringify } from 'yaml';
import { configSchema, parseConfig } from '../../config.js';
import { EMBEDDED_SOURCE } from '../../sources/openSource.js';
import { configKeys, type ConfigKey } from '../configKeys.js';
import { TRAIN_FLAGS } from '../trainFlags.js';
import { TRAIN_SWITCHES } from '../trainSwitches.js';
import { markdownCell } from './markdownCell.js';

/**
 * docs/config.md: every key of the config schema (path, accepted values, default, environment
 * variable, CLI flag, description) and a YAML file holding every default, all read from
 * `configSchema` and the train flags; `npm run docs` writes it and a test fails when it is stale.
 *
 * @example
 * writeFileSync('docs/config.md', renderConfigDocs());
 */
export function renderConfigDocs(): string {
  const rows = configKeys(configSchema).map((key) => {
    const flags = TRAIN_FLAGS.filter((f) => f.keys.includes(key.path));
    const switches = TRAIN_SWITCHES.filter((s) => s.path.join('.') === key.path);
    const cliFlags = [...flags.map((f) => f.flag.replace(/ .*/, '')), ...switches.map((s) => s.flag)];
    const envs = [...flags.map((f) => f.env), ...switches.flatMap((s) => (s.env ? [`${s.env}=true`] : []))];
    const fallback = flags.find((f) => f.fallback !== undefined)?.fallback;
    return [
      code(key.path),
      markdownCell(key.type),
      defaultOf(key, fallback),
      envs.map(code).join(', '),
      cliFlags.map(code).join(', '),
      markdownCell(key.description ?? ''),
    ];
  });
  const table = [
    '| key | accepts | default | env | flag | description |',
    '|---|---|---|---|---|---|',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
  ];
  const defaults = stringify(parseConfig({ source: EMBEDDED_SOURCE })).trimEnd();
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from the config schema (src/config.ts) by `npm run docs`; do not edit by hand. -->',
    '',
    '`streamtune train --config FILE` reads a YAML or JSON file with these keys; unknown keys are errors.',
    'Flags win over the environment, the environment over the file, the file over the defaults. An',
    'invalid configuration exits with code 2 and one line naming every bad field and what it accepts.',
    '',
    '"—" in the default column: unset unless given (the description says what unset means).',
    'A `tuning` policy (`divergence`, `drift`, `plateau`, `gap`) is `false` (off), `true` or an object',
    "of its keys (on, the other keys at their defaults). `drift.detectors[]` entries take River's",
    'settings of that detector in camelCase (`{ type: adwin, delta: 0.002 }`); a wrong one names the',
    'detector\'s settings. Also read from the environment: `STREAMTUNE_LOG_LEVEL` (default `info`) and',
    'the Kafka password (`STREAMTUNE_KAFKA_PASSWORD`, or the variable `kafka.sasl.passwordEnv` names).',
    '',
    ...table,
    '',
    '## Every default',
    '',
    `The configuration \`streamtune train\` runs with when nothing is set (\`source\` is the CLI's fallback):`,
    '',
    '```yaml',
    defaults,
    '```',
    '',
  ].join('\n');
}

function defaultOf(key: ConfigKey, fallback: unknown): string {
  if (key.toggle) return key.defaultValue === false ? 'off' : 'on';
  if (key.presence === 'default') return code(JSON.stringify(key.defaultValue));
  if (fallback !== undefined) return `required; CLI: ${code(String(fallback))}`;
  return key.presence === 'required' ? 'required' : '—';
}

function code(text: string): string {
  return `\`${markdownCell(text)}\``;
}
