import { ControlError } from '../errors.js';
import { CONTROL_ACTIONS, type ControlActionName, type ControlRequest } from './ControlRequest.js';

const FIELDS: Record<ControlActionName, readonly string[]> = {
  'pause-learning': [],
  'resume-learning': [],
  'reset-scaler': [],
  'checkpoint-now': [],
  set: ['learningRate', 'l2'],
  rollback: ['beforeRecords', 'beforeTime'],
};

/**
 * Validates the JSON body of `POST /control` into a {@link ControlRequest}; throws a
 * {@link ControlError} naming the field at fault (unknown action, unknown field, wrong type, a
 * `set` without a value). `who` is the asker's own description (`streamtune ctl` sends user@host);
 * `origin` (the peer address) is appended to it.
 *
 * @example
 * parseControlRequest({ action: 'set', learningRate: 0.001 }, '127.0.0.1'); // { action: 'set', learningRate: 0.001, who: 'api 127.0.0.1' }
 * parseControlRequest({ action: 'jump' }, '127.0.0.1'); // throws ControlError (field "action")
 */
export function parseControlRequest(body: unknown, origin: string): ControlRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ControlError('the request body must be a JSON object such as {"action": "pause-learning"}', { field: 'body' });
  }
  const fields = body as Record<string, unknown>;
  const action = fields.action;
  if (typeof action !== 'string' || !(CONTROL_ACTIONS as readonly string[]).includes(action)) {
    throw new ControlError(`"action" must be one of ${CONTROL_ACTIONS.join(', ')}, got ${JSON.stringify(action ?? null)}`, { field: 'action' });
  }
  const name = action as ControlActionName;
  for (const key of Object.keys(fields)) {
    if (key !== 'action' && key !== 'who' && !FIELDS[name].includes(key)) {
      const allowed = FIELDS[name].length > 0 ? `: it takes ${FIELDS[name].join(', ')}` : ' (it takes no arguments)';
      throw new ControlError(`"${key}" is not a field of action ${name}${allowed}`, { field: key });
    }
  }
  const who = whoOf(fields.who, origin);
  if (name === 'set') {
    const learningRate = optionalNumber(fields, 'learningRate', (x) => x > 0, 'a number > 0');
    const l2 = optionalNumber(fields, 'l2', (x) => x >= 0, 'a number >= 0');
    if (learningRate === undefined && l2 === undefined) {
      throw new ControlError('action set needs "learningRate" or "l2" (or both)', { field: 'learningRate' });
    }
    return { action: name, who, ...(learningRate === undefined ? {} : { learningRate }), ...(l2 === undefined ? {} : { l2 }) };
  }
  if (name === 'rollback') {
    const beforeRecords = optionalNumber(fields, 'beforeRecords', (x) => Number.isInteger(x) && x >= 0, 'an integer >= 0');
    const beforeTime = fields.beforeTime;
    if (beforeTime !== undefined && (typeof beforeTime !== 'string' || Number.isNaN(Date.parse(beforeTime)))) {
      throw new ControlError(`"beforeTime" must be an ISO time such as 2025-01-01T12:00:00Z, got ${JSON.stringify(beforeTime)}`, { field: 'beforeTime' });
    }
    return {
      action: name,
      who,
      ...(beforeRecords === undefined ? {} : { beforeRecords }),
      ...(beforeTime === undefined ? {} : { beforeTime: new Date(beforeTime).toISOString() }),
    };
  }
  return { action: name, who };
}

function optionalNumber(fields: Record<string, unknown>, key: string, ok: (x: number) => boolean, what: string): number | undefined {
  const value = fields[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new ControlError(`"${key}" must be ${what}, got ${JSON.stringify(value)}`, { field: key });
  }
  return value;
}

function whoOf(who: unknown, origin: string): string {
  if (who === undefined) return `api ${origin}`;
  if (typeof who !== 'string' || who.length === 0 || who.length > 100 || [...who].some((c) => c.charCodeAt(0) < 32)) {
    throw new ControlError('"who" must be a short text (1 to 100 characters, no control characters)', { field: 'who' });
  }
  return `${who} (api ${origin})`;
}
