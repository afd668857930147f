// The benchmark itself could not run (as opposed to a budget it measured and missed): the
// runner prints the message alone, without a stack.
export class BenchBroken extends Error {}

export function fail(message: string): never {
  throw new BenchBroken(message);
}
