// CPU µs per call of a few variants of one operation, interleaved in one process so that the
// machine's load moves them all alike: warm-up, then seven rounds, median and min–max.

export type Variants = Record<string, (i: number) => void>;

export function measure(variants: Variants, calls = 50_000): void {
  const cpuPerCall = (variant: (i: number) => void) => {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) variant(i);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / calls;
  };
  for (const variant of Object.values(variants)) cpuPerCall(variant);
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < 7; round++)
    for (const [name, variant] of Object.entries(variants))
      (samples[name] ??= []).push(cpuPerCall(variant));
  for (const [name, values] of Object.entries(samples)) {
    values.sort((a, b) => a - b);
    const [min, median, max] = [values[0], values[3], values[6]].map((v) => v.toFixed(2));
    console.log(`${name.padEnd(20)} ${median} µs per call (${min}–${max})`);
  }
}
