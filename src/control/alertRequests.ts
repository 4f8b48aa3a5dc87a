import { ControlError } from '../errors.js';
import type { ControlRequest } from './ControlRequest.js';

/** Actions an alert may be mapped to (`set` needs values an alert does not carry). */
export const ALERT_ACTIONS = ['pause-learning', 'resume-learning', 'rollback', 'reset-scaler', 'checkpoint-now'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** One firing alert of a notification and the request it maps to; `key` identifies the alert firing (for deduplication). */
export interface AlertRequest {
  readonly alert: string;
  readonly key: string;
  readonly request: ControlRequest;
}

/**
 * Turns an Alertmanager webhook notification (payload version 4) into control requests: each
 * firing alert whose `alertname` is mapped in `actions` (config `control.alerts`) gives one; a
 * rollback goes to the newest checkpoint taken before the alert started (`startsAt`). Resolved and
 * unmapped alerts give none. Throws a {@link ControlError} naming the field of a body that is not
 * such a notification.
 *
 * @example
 * alertRequests({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'StreamtuneNonFiniteLoss' }, startsAt }] },
 *   { StreamtuneNonFiniteLoss: 'pause-learning' });
 * // [{ alert: 'StreamtuneNonFiniteLoss', key: '...', request: { action: 'pause-learning', who: 'alertmanager StreamtuneNonFiniteLoss' } }]
 */
export function alertRequests(body: unknown, actions: Readonly<Record<string, AlertAction>>): AlertRequest[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ControlError('the body must be an Alertmanager webhook notification (a JSON object)', { field: 'body' });
  }
  const { version, alerts } = body as { version?: unknown; alerts?: unknown };
  if (version !== '4') throw new ControlError(`"version" must be "4" (Alertmanager's webhook payload), got ${JSON.stringify(version ?? null)}`, { field: 'version' });
  if (!Array.isArray(alerts)) throw new ControlError('"alerts" must be the list of alerts of the notification', { field: 'alerts' });
  return alerts.flatMap((alert: unknown, i): AlertRequest[] => {
    const a = (typeof alert === 'object' && alert !== null ? alert : {}) as { status?: unknown; labels?: unknown; startsAt?: unknown; fingerprint?: unknown };
    const labels = (typeof a.labels === 'object' && a.labels !== null ? a.labels : undefined) as Record<string, unknown> | undefined;
    const name = labels?.alertname;
    if (typeof name !== 'string') throw new ControlError(`"alerts[${i}].labels.alertname" must be the alert's name`, { field: `alerts[${i}].labels.alertname` });
    if (a.status !== 'firing') return [];
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
    if (action === undefined) return [];
    const startsAt = typeof a.startsAt === 'string' && !Number.isNaN(Date.parse(a.startsAt)) ? new Date(a.startsAt).toISOString() : undefined;
    const who = `alertmanager ${name}`;
    const request: ControlRequest = action === 'rollback' ? { action, who, ...(startsAt ? { beforeTime: startsAt } : {}) } : { action, who };
    const id = typeof a.fingerprint === 'string' ? a.fingerprint : JSON.stringify(labels);
    return [{ alert: name, key: `${id}@${startsAt ?? ''}`, request }];
  });
}
