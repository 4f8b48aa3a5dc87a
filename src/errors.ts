/**
 * Named errors. Each says what was wrong, where (field, file:line, topic/partition/offset) and
 * what to do. `retriable` tells callers whether trying again can help.
 */
export abstract class StreamtuneError extends Error {
  abstract readonly tag: string;
  readonly retriable: boolean;

  constructor(message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options.retriable ?? false;
    this.name = new.target.name;
  }
}

/** The configuration is invalid: names the field, the value and the allowed values. */
export class ConfigError extends StreamtuneError {
  readonly tag = 'config';
}

/** A record cannot be decoded. Normally turned into a rejection, not thrown. */
export class DecodeError extends StreamtuneError {
  readonly tag = 'decode';
}

/** A source cannot be opened or read (missing file, unreadable header, broker gone). */
export class SourceError extends StreamtuneError {
  readonly tag = 'source';
}

/** The model or the backend failed. */
export class ModelError extends StreamtuneError {
  readonly tag = 'model';
}

/** A checkpoint cannot be written or read. */
export class CheckpointError extends StreamtuneError {
  readonly tag = 'checkpoint';
}

/** A control request (the trainer's control API, `streamtune ctl`) is invalid or cannot be carried out; `field` names what to fix. */
export class ControlError extends StreamtuneError {
  readonly tag = 'control';
  /** The request field at fault (`action`, `learningRate`, ...), or undefined when it is not about one field. */
  readonly field: string | undefined;

  constructor(message: string, options: { field?: string; cause?: unknown; retriable?: boolean } = {}) {
    super(message, options);
    this.field = options.field;
  }
}
