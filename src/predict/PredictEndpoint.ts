import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../control/httpJson.js';
import { scoredLine } from '../export/scoredLine.js';
import type { TrainingParts } from '../training/TrainingParts.js';
import type { Schema } from '../types.js';
import { parsePredictRows } from './parsePredictRows.js';
import { scoreRows } from './scoreRows.js';

/** What /predict scores with: the model's schema (lagged columns included) and the run's parts. */
export interface PredictModel {
  readonly schema: Schema;
  readonly parts: Pick<TrainingParts, 'engine' | 'scaler'>;
}

/** Settings of a {@link PredictEndpoint} (`predict.*`). */
export interface PredictEndpointSettings {
  readonly maxBodyBytes: number;
  readonly maxRows: number;
}

/**
 * The trainer's live prediction endpoint, `POST /predict`: JSON rows in (see parsePredictRows),
 * `{version, predictions: [{prediction, probabilities?}]}` out, from the current champion after the
 * running standardization. Open like /metrics. A bad row gets 400 naming the row and the field, a
 * body over `maxBodyBytes` 413, before the run's source is open (or after it ended) 503. The body
 * is read asynchronously; the scoring is one synchronous call of at most `maxRows` rows, so it
 * runs between two training blocks and holds training up for no longer than that.
 *
 * @example
 * const predict = new PredictEndpoint({ maxBodyBytes: 1 << 20, maxRows: 1024 });
 * await serveMetrics(registry, { ...config.metrics, handle: predict.handle });
 * predict.attach({ schema: modelSchema(schema, parts.lags), parts });
 */
export class PredictEndpoint {
  #model: PredictModel | undefined;
  #served = 0;

  constructor(private readonly settings: PredictEndpointSettings) {}

  /** Rows scored so far. */
  get served(): number {
    return this.#served;
  }

  /** The model to answer with, once the run's parts exist. */
  attach(model: PredictModel): void {
    this.#model = model;
  }

  /** The run is over: /predict answers 503 again. */
  detach(): void {
    this.#model = undefined;
  }

  /** The HTTP handler: answers /predict and returns true, or returns false for any other path. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/predict') return false;
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: '/predict takes POST with a JSON array of rows' }, { Allow: 'POST' });
      return true;
    }
    const max = this.settings.maxBodyBytes;
    if (Number(req.headers['content-length'] ?? 0) > max) {
      tooLarge(req, res, max);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > max) {
        refused = true;
        tooLarge(req, res, max);
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) this.#answer(Buffer.concat(chunks).toString('utf8'), res);
    });
    req.on('error', () => res.destroy());
    return true;
  };

  #answer(text: string, res: ServerResponse): void {
    const model = this.#model;
    if (!model) {
      sendJson(res, 503, { error: 'no model yet: the run has not opened its source (or it has ended)' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      sendJson(res, 400, { error: 'the request body is not JSON', row: null, field: null });
      return;
    }
    const parsed = parsePredictRows(body, model.schema, this.settings.maxRows);
    if (!('rows' in parsed)) {
      sendJson(res, 400, parsed);
      return;
    }
    const { outputs, width, version } = scoreRows(model.parts, parsed.rows);
    const task = model.schema.task;
    const predictions = parsed.rows.map((_, i) => {
      const { position: _position, ...line } = scoredLine(task, { position: '' }, outputs.subarray(i * width, (i + 1) * width));
      return line;
    });
    this.#served += parsed.rows.length;
    sendJson(res, 200, { version, predictions });
  }
}

/** 413, closing the connection (the rest of the body is not read). */
function tooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
  sendJson(res, 413, { error: `the request body is longer than predict.maxBodyBytes (${max} bytes): send fewer rows per request` }, { Connection: 'close' });
  req.resume();
}
