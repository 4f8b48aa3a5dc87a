import { hostname, userInfo } from 'node:os';
import { controlToken } from '../control/controlToken.js';
import { CONTROL_ACTIONS } from '../control/ControlRequest.js';
import { ConfigError } from '../errors.js';

/** Options of `streamtune ctl`. */
export interface CtlOptions {
  readonly tokenFile?: string;
  readonly lr?: number;
  readonly l2?: number;
  readonly beforeRecords?: number;
  readonly beforeTime?: string;
  /** Seconds to wait for the answer (default 30). */
  readonly timeout?: number;
}

/** `status` or one of the control actions. */
export const CTL_ACTIONS = ['status', ...CONTROL_ACTIONS] as const;

/**
 * `streamtune ctl HOST:PORT <action>`: the client of a trainer's control API. `status` GETs
 * /status; the other actions POST /control with the token from `--token-file` or
 * `$STREAMTUNE_CONTROL_TOKEN`, and `who` set to user@host. Prints the JSON answer; returns 0 when
 * the trainer applied (or queued) the action, 1 when it refused it, 2 on a usage error.
 *
 * @example
 * await ctlCommand('127.0.0.1:9464', 'set', { lr: 0.001, tokenFile: 'token' }, { stdout, stderr, env: process.env });
 */
export async function ctlCommand(
  address: string,
  action: string,
  options: CtlOptions,
  io: { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream; readonly env: NodeJS.ProcessEnv },
): Promise<number> {
  if (!(CTL_ACTIONS as readonly string[]).includes(action)) {
    throw new ConfigError(`unknown action "${action}": use one of ${CTL_ACTIONS.join(', ')}`);
  }
  const token = controlToken(io.env, options.tokenFile);
  if (token === undefined) throw new ConfigError('no control token: pass --token-file PATH or set $STREAMTUNE_CONTROL_TOKEN');
  const base = /^https?:\/\//.test(address) ? address.replace(/\/+$/, '') : `http://${address}`;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const signal = AbortSignal.timeout((options.timeout ?? 30) * 1000);
  let response: Response;
  try {
    response =
      action === 'status'
        ? await fetch(`${base}/status`, { headers, signal })
        : await fetch(`${base}/control`, { method: 'POST', headers, body: JSON.stringify(requestBody(action, options)), signal });
  } catch (error) {
    io.stderr.write(`streamtune ctl: cannot reach ${base}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}\n`);
    return 1;
  }
  const text = await response.text();
  let shown = text;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2) + '\n';
  } catch {
    // not JSON: print it as it came
  }
  if (!response.ok) {
    io.stderr.write(`streamtune ctl: ${action} refused (HTTP ${response.status}): ${shown}`);
    return 1;
  }
  io.stdout.write(shown);
  return 0;
}

/** The JSON body of `POST /control` for an action and the flags that apply to it. */
function requestBody(action: string, options: CtlOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { action, who: `${safeUser()}@${hostname()} (streamtune ctl)` };
  if (action === 'set') {
    if (options.lr === undefined && options.l2 === undefined) throw new ConfigError('ctl set needs --lr and/or --l2');
    if (options.lr !== undefined) body.learningRate = options.lr;
    if (options.l2 !== undefined) body.l2 = options.l2;
  } else if (options.lr !== undefined || options.l2 !== undefined) {
    throw new ConfigError(`--lr and --l2 go with ctl set, not ${action}`);
  }
  if (action === 'rollback') {
    if (options.beforeRecords !== undefined) body.beforeRecords = options.beforeRecords;
    if (options.beforeTime !== undefined) body.beforeTime = options.beforeTime;
  } else if (options.beforeRecords !== undefined || options.beforeTime !== undefined) {
    throw new ConfigError(`--before-records and --before-time go with ctl rollback, not ${action}`);
  }
  return body;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
