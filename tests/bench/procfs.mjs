// Linux /proc readings for the benchmark: process trees, peak resident memory (VmHWM), CPU time, load.
// Only this machine's kernel interfaces; no dependencies.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat and /proc/stat (USER_HZ; 100 on every Linux this runs on). */
const HZ = 100;

const read = (path) => { try { return readFileSync(path, 'utf8'); } catch { return null; } };

/** pid, ppid and CPU jiffies (own + waited-for children) of every process, from /proc/<pid>/stat. */
export function processTable() {
  const out = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (stat === null) continue; // exited meanwhile
    // The command name is in parentheses and may hold spaces or parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17, starttime field 22.
    out.set(Number(name), {
      pid: Number(name), ppid: Number(fields[1]),
      jiffies: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
      start: Number(fields[19]),
    });
  }
  return out;
}

/** Every live descendant of `root` (not `root` itself). */
export function descendants(root, table = processTable()) {
  const children = new Map();
  for (const p of table.values()) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p.pid);
  }
  const out = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop();
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

export const cmdline = (pid) => (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), in bytes; NaN once the process is gone. */
export function statusBytes(pid, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Thread names of a process (Chromium names its worker threads, e.g. "DedicatedWorker thread", cut to 15 bytes). */
export function threadNames(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => (read(`/proc/${pid}/task/${tid}/comm`) ?? '').trim());
  } catch {
    return [];
  }
}

/** CPU seconds used so far by `root` and all its live descendants (children that exited count in their parent). */
export function treeCpuSeconds(root, table = processTable()) {
  let jiffies = table.get(root)?.jiffies ?? 0;
  for (const pid of descendants(root, table)) jiffies += table.get(pid)?.jiffies ?? 0;
  return jiffies / HZ;
}

/** Busy CPU seconds of the whole machine so far (all cores; idle and iowait excluded), from /proc/stat. */
export function machineBusySeconds() {
  const [, ...v] = (read('/proc/stat') ?? '').split('\n')[0].trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / HZ;
}

export const loadavg = () => (read('/proc/loadavg') ?? '').split(' ').slice(0, 3).map(Number);

/**
 * Measures how much CPU other processes (not this benchmark's process tree) used while something ran: on a shared VM
 * that is what doubles a timing. `stop()` returns { seconds, ownCpu, foreignCores }.
 */
export function cpuWatch() {
  const t0 = performance.now();
  const busy0 = machineBusySeconds();
  const own0 = treeCpuSeconds(process.pid);
  return {
    stop() {
      const seconds = (performance.now() - t0) / 1000;
      const own = treeCpuSeconds(process.pid) - own0;
      const foreign = Math.max(0, machineBusySeconds() - busy0 - own);
      return { seconds, ownCpu: own, foreignCores: seconds > 0 ? foreign / seconds : 0 };
    },
  };
}
