import { InvalidArgumentError } from 'commander';

/**
 * A commander argument parser for a number flag: `--lr 0.01` -> 0.01; anything else is a usage
 * error naming the flag.
 *
 * @example
 * new Option('--lr <rate>').argParser(numberArg('--lr'));
 */
export function numberArg(name: string): (value: string) => number {
  return (value) => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x)) throw new InvalidArgumentError(`${name} must be a number, got "${value}"`);
    return x;
  };
}
