/**
 * CPU time and peak memory of other processes, read from /proc: a bench phase samples n8n's
 * process group (main, its task runner) before and after, so the CPU the load generator and the
 * shop sandbox spend in the bench process is not counted as n8n's. Linux only; elsewhere the
 * figures are absent.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

interface ProcStat {
	pid: number;
	processGroup: number;
	cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name is in parentheses and may hold spaces: fields start after the last ')'.
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		const processGroup = Number(fields[2]);
		const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
		return { pid, processGroup, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
	} catch {
		return undefined; // gone, or not Linux
	}
}

function pidsOf(processGroup: number): number[] {
	let entries: string[];
	try {
		entries = readdirSync('/proc');
	} catch {
		return [];
	}
	return entries
		.filter((name) => /^\d+$/.test(name))
		.map(Number)
		.filter((pid) => readStat(pid)?.processGroup === processGroup);
}

/** CPU milliseconds (user + system) used so far by every live process of the group. */
export function groupCpuMs(processGroup: number): number {
	return pidsOf(processGroup).reduce((sum, pid) => sum + (readStat(pid)?.cpuMs ?? 0), 0);
}

/** Peak resident memory of one process in MB (VmHWM), or undefined where /proc is absent. */
export function peakRssMbOf(pid: number): number | undefined {
	try {
		const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Math.round(Number(match[1]) / 102.4) / 10 : undefined;
	} catch {
		return undefined;
	}
}

/** This process's CPU milliseconds so far (user + system). */
export function ownCpuMs(): number {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1000;
}
