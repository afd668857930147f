// The facts about the machine a report was measured on.
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function describeMachine(): Record<string, string | number> {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel =
      /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1] ?? cpuModel;
  } catch {
    // lscpu is missing: keep what Node reports.
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.versions.node,
    os: `${os.type()} ${os.release()}`,
  };
}
