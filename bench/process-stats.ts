// CPU time and memory of the service processes, read from /proc (Linux only):
// what the services themselves spent, without the load generator or the sink.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS =
  Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User plus system CPU seconds the process has used since it started. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5), counted from field 3 here.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size now and its high-water mark since start, in MiB. */
export function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Samples the resident set of each process while the load runs and keeps each one's peak. */
export function sampleRss<Name extends string>(
  pids: Record<Name, number>,
  intervalMs = 250,
): { stop(): Record<Name, number> } {
  const peaks = Object.fromEntries(Object.keys(pids).map((name) => [name, 0])) as Record<
    Name,
    number
  >;
  const sample = () => {
    for (const name of Object.keys(pids) as Name[]) {
      try {
        peaks[name] = Math.max(peaks[name], memoryMb(pids[name]).rss);
      } catch {
        // The process exited; the run will fail on its own account.
      }
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}
