import type { Command } from 'commander';

/** Help width of the generated page, so it does not depend on the terminal that ran `npm run docs`. */
const WIDTH = 100;

/**
 * docs/cli.md: the `--help` of the program and of every visible command, as the CLI prints it.
 * Fixes the help width of the commands it renders.
 *
 * @example
 * writeFileSync('docs/cli.md', renderCliDocs(program));
 */
export function renderCliDocs(program: Command): string {
  const commands = program.createHelp().visibleCommands(program).filter((c) => c.name() !== 'help');
  const sections = [program, ...commands].map((command) => {
    command.configureHelp({ ...command.configureHelp(), helpWidth: WIDTH });
    const name = command === program ? program.name() : `${program.name()} ${command.name()}`;
    return [`## ${name}`, '', '```', command.helpInformation().trimEnd(), '```', ''].join('\n');
  });
  return [
    '# Command-line reference',
    '',
    '<!-- Generated from the CLI (src/cli.ts, src/commands/trainFlags.ts) by `npm run docs`; do not edit by hand. -->',
    '',
    'The `--help` of each command. The defaults and descriptions of the `train` flags come from the',
    'config schema (see [config.md](config.md) for every key, its environment variable and its flag).',
    'Exit codes of `train`: 0 when the source ended or a signal stopped the run; 2 for an invalid',
    'configuration (one line naming every bad field); 1 for anything else, usage errors included.',
    '',
    ...sections,
  ].join('\n');
}
