/**
 * CPU time and memory of a server under test, read from /proc (Linux). A server is measured as its
 * whole process group: Kamailio forks workers (its main process is the group leader), a Node server is
 * one process. Memory is summed over the group as PSS (proportional set size, from
 * /proc/PID/smaps_rollup: shared pages, such as Kamailio's shared memory segment, are split between the
 * processes that map them, so the sum counts each page once) and as RSS (which counts a shared page in
 * every process that touched it: an overestimate for multi-process servers).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ; 100 on every Linux build we run on). */
const HZ = 100;

/** PIDs of the live (non-zombie) processes in process group `pgid`. */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && f[0] !== 'Z' && Number(f[2]) === pgid) out.push(Number(name));
  }
  return out;
}

/** Fields of /proc/PID/stat after the `(comm)`: state, ppid, pgrp, ... (undefined if gone). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU time of the group's live processes, in milliseconds. */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const pid of groupPids(pgid)) {
    const f = statFields(pid);
    // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the comm
    if (f) ticks += Number(f[11]) + Number(f[12]);
  }
  return (ticks * 1000) / HZ;
}

export interface GroupMemory {
  readonly processes: number;
  /** Sum of RSS over the group, bytes. */
  readonly rss: number;
  /** Sum of PSS over the group, bytes; undefined when smaps_rollup is not readable. */
  readonly pss: number | undefined;
}

function kbField(text: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

export function groupMemory(pgid: number): GroupMemory {
  const pids = groupPids(pgid);
  let rss = 0;
  let pss: number | undefined = 0;
  for (const pid of pids) {
    try {
      rss += kbField(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS') ?? 0;
    } catch {
      // exited meanwhile
    }
    if (pss === undefined) continue;
    try {
      const p = kbField(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
      pss = p === undefined ? undefined : pss + p;
    } catch {
      pss = undefined;
    }
  }
  return { processes: pids.length, rss, pss };
}

/** The machine's CPU time so far from /proc/stat, in ticks: all of it, and what the hypervisor stole. */
export interface MachineTicks {
  readonly total: number;
  readonly steal: number;
}

/**
 * The `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal (guest time is part of
 * user already). Steal is time this VM's CPUs were ready to run and the hypervisor ran another guest:
 * on a shared host it comes in bursts of seconds, and a slice taken in one runs slower for reasons
 * neither server has.
 */
export function machineTicks(): MachineTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((s, v) => s + (Number.isFinite(v) ? v : 0), 0);
  return { total, steal: Number.isFinite(f[7]) ? (f[7] as number) : 0 };
}

/** Share of the machine's CPU time stolen between two readings (0 when nothing elapsed). */
export function stealShare(a: MachineTicks, b: MachineTicks): number {
  const dt = b.total - a.total;
  return dt > 0 ? (b.steal - a.steal) / dt : 0;
}
