import { fileURLToPath } from 'node:url';

/** Path of a file in the shared data folder that sits beside the repository (`../shared/data`), as in CI. */
export function sharedData(name: string): string {
  return fileURLToPath(new URL(`../../../shared/data/${name}`, import.meta.url));
}
