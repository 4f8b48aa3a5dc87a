import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatchReport } from '../pipeline.js';
import { ControlError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { TuningEvent } from '../tune/TuningEvent.js';
import { alertRequests, type AlertAction } from './alertRequests.js';
import { applyControl, type ControlOutcome, type ControlTask } from './applyControl.js';
import { bearerMatches } from './bearerMatches.js';
import { checkBounds, controlBounds } from './controlBounds.js';
import type { ControlRequest } from './ControlRequest.js';
import { ControlQueue } from './ControlQueue.js';
import { controlStatus } from './controlStatus.js';
import { findRollbackTarget } from './findRollbackTarget.js';
import { readJsonBody, sendJson } from './httpJson.js';
import type { LiveRun } from './LiveRun.js';
import { packageVersion } from './packageVersion.js';
import { parseControlRequest } from './parseControlRequest.js';

/** Settings of a {@link ControlPlane}. */
export interface ControlPlaneSettings {
  /** The bearer token every request must carry (never logged). */
  readonly token: string;
  /** Alert name -> action (`control.alerts`). */
  readonly alerts: Readonly<Record<string, AlertAction>>;
  /** How long a request waits for the pipeline to apply its action before answering 202 (queued). */
  readonly waitMs: number;
  readonly log: Pick<Logger, 'info' | 'warn'>;
  readonly now?: () => string;
}

const PATHS = new Set(['/status', '/control', '/alerts']);
const MAX_BODY = 1_000_000;
const REMEMBERED_ALERTS = 1000;

/**
 * The trainer's control API: `GET /status`, `POST /control` and `POST /alerts` (Alertmanager's
 * webhook), all behind `Authorization: Bearer TOKEN` (401 without it). Requests are validated
 * (400 naming the field) and queued; the pipeline carries them out between two blocks when it calls
 * {@link drain}, whose report then carries their tuning events (reason `operator`) to the logs,
 * metrics, metrics log and events topic like the tuner's own.
 *
 * @example
 * const control = new ControlPlane({ token, alerts: config.control.alerts, waitMs: 10_000, log });
 * await serveMetrics(registry, { ...config.metrics, handle: control.handle });
 * control.attach(run);
 * runPipeline({ ..., onBatch: (r) => reporter.report(control.drain(r)) });
 */
export class ControlPlane {
  readonly #settings: ControlPlaneSettings;
  readonly #queue = new ControlQueue<ControlTask, ControlOutcome>();
  readonly #handledAlerts = new Set<string>();
  #run: LiveRun | undefined;

  constructor(settings: ControlPlaneSettings) {
    this.#settings = settings;
  }

  /** Actions waiting for the pipeline. */
  get pending(): number {
    return this.#queue.size;
  }

  /** The run to act on, once its source is open (until then the API answers 503). */
  attach(run: LiveRun): void {
    this.#run = run;
  }

  /** The run is over: waiting actions are refused and the API answers 503 again. */
  detach(): void {
    this.#run = undefined;
    this.#queue.close('the run ended before the action could be applied');
  }

  /**
   * Carries out the waiting actions (call on the pipeline's turn, between blocks) and returns the
   * report with their events added to its decision's.
   */
  drain<R extends Pick<BatchReport, 'decision'>>(report: R): R {
    const run = this.#run;
    if (!run || this.#queue.size === 0) return report;
    const events: TuningEvent[] = [];
    const time = (this.#settings.now ?? (() => new Date().toISOString()))();
    this.#queue.drain((task) => {
      const outcome = applyControl(task, run, time);
      events.push(...outcome.events);
      return outcome;
    });
    return events.length === 0 ? report : { ...report, decision: { ...report.decision, events: [...report.decision.events, ...events] } };
  }

  /** The HTTP handler: answers the control paths and returns true, or returns false for any other path. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!PATHS.has(path)) return false;
    const origin = req.socket.remoteAddress ?? 'unknown';
    if (!bearerMatches(req.headers.authorization, this.#settings.token)) {
      this.#settings.log.warn({ event: 'control.unauthorized', path, origin }, `control API: refused ${req.method ?? ''} ${path} from ${origin} without the right bearer token`);
      sendJson(res, 401, { error: 'this needs the control token: Authorization: Bearer TOKEN' }, { 'WWW-Authenticate': 'Bearer realm="streamtune"' });
      return true;
    }
    const method = path === '/status' ? 'GET' : 'POST';
    if (req.method !== method) {
      sendJson(res, 405, { error: `${path} takes ${method}` }, { Allow: method });
      return true;
    }
    const run = this.#run;
    if (!run) {
      sendJson(res, 503, { error: 'the run is not ready (the source is not open yet, or the run has ended)' });
      return true;
    }
    if (path === '/status') {
      sendJson(res, 200, controlStatus(run, packageVersion()));
      return true;
    }
    const answer = path === '/control' ? this.#control(req, run, origin) : this.#alerts(req, run);
    answer.then(
      ({ status, body }) => sendJson(res, status, body),
      (error: unknown) => {
        if (error instanceof ControlError) sendJson(res, error.retriable ? 503 : 400, { error: error.message, field: error.field ?? null });
        else sendJson(res, 500, { error: `the action failed: ${(error as Error).message}` });
      },
    );
    return true;
  };

  async #control(req: IncomingMessage, run: LiveRun, origin: string): Promise<{ status: number; body: unknown }> {
    const request = parseControlRequest(await readJsonBody(req, MAX_BODY), origin);
    const outcome = await this.#submit(request, run);
    return outcome ? { status: 200, body: response(outcome) } : { status: 202, body: { action: request.action, queued: true } };
  }

  async #alerts(req: IncomingMessage, run: LiveRun): Promise<{ status: number; body: unknown }> {
    const mapped = alertRequests(await readJsonBody(req, MAX_BODY), this.#settings.alerts);
    const results: unknown[] = [];
    for (const { alert, key, request } of mapped) {
      if (this.#handledAlerts.has(key)) {
        results.push({ alert, action: request.action, repeated: true });
        continue;
      }
      this.#remember(key);
      try {
        const outcome = await this.#submit(request, run);
        results.push({ alert, ...(outcome ? response(outcome) : { action: request.action, queued: true }) });
      } catch (error) {
        // Alertmanager only retries on 5xx: one alert that cannot act is reported, not retried.
        this.#settings.log.warn({ event: 'control.alert_failed', alert, action: request.action }, `alert ${alert}: ${request.action} failed: ${(error as Error).message}`);
        results.push({ alert, action: request.action, error: (error as Error).message });
      }
    }
    return { status: 200, body: { actions: results } };
  }

  /** Validates against the run, prepares (a rollback's checkpoint), queues and waits for the outcome (undefined: still queued). */
  async #submit(request: ControlRequest, run: LiveRun): Promise<ControlOutcome | undefined> {
    if (request.action === 'set') checkBounds(request, controlBounds(run.config));
    let task: ControlTask = { request };
    if (request.action === 'rollback') {
      if (!run.store) throw new ControlError('rollback needs a checkpoint directory: start the trainer with --checkpoint-dir', { field: 'action' });
      task = { request, rollback: await findRollbackTarget(run.store, request) };
    }
    this.#settings.log.info({ event: 'control.requested', who: request.who, action: request.action }, `control: ${request.who} asks for ${request.action}`);
    const applied = this.#queue.submit(task);
    applied.catch(() => undefined); // answered late: the failure is the pipeline's log line, not an unhandled rejection
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.#settings.waitMs)));
    const outcome = await Promise.race([applied, late]).finally(() => clearTimeout(timer));
    if (outcome?.durable && !(await outcome.durable)) throw new ControlError('the checkpoint could not be written; see the trainer log', { retriable: true });
    return outcome;
  }

  #remember(key: string): void {
    this.#handledAlerts.add(key);
    if (this.#handledAlerts.size > REMEMBERED_ALERTS) this.#handledAlerts.delete(this.#handledAlerts.values().next().value as string);
  }
}

function response(outcome: ControlOutcome): Record<string, unknown> {
  return { action: outcome.action, applied: true, changed: outcome.changed, ...outcome.detail, events: outcome.events };
}
