import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** The environment variable holding the control token (`--control-token-file` is the other way). */
export const CONTROL_TOKEN_ENV = 'STREAMTUNE_CONTROL_TOKEN';

/**
 * The control API's token: `$STREAMTUNE_CONTROL_TOKEN`, else the first line of `tokenFile`
 * (trailing whitespace trimmed), else undefined: the control API stays off. The token itself is
 * never part of an error message.
 *
 * @example
 * const token = controlToken(process.env, config.control.tokenFile); // undefined: no /status, /control, /alerts
 */
export function controlToken(env: NodeJS.ProcessEnv, tokenFile: string | undefined): string | undefined {
  const fromEnv = env[CONTROL_TOKEN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return checked(fromEnv.trim(), `$${CONTROL_TOKEN_ENV}`);
  if (tokenFile === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(tokenFile, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read the control token file ${tokenFile} (control.tokenFile): ${(cause as NodeJS.ErrnoException).code ?? 'error'}; check the path and its permissions`, { cause });
  }
  return checked((text.split(/\r?\n/)[0] ?? '').trim(), `the control token file ${tokenFile}`);
}

function checked(token: string, where: string): string {
  if (token.length < 16) {
    throw new ConfigError(`${where} holds a control token of ${token.length} characters; use at least 16 (e.g. \`openssl rand -hex 32\`)`);
  }
  if (/\s/.test(token)) throw new ConfigError(`${where}: the control token must not contain whitespace`);
  return token;
}
