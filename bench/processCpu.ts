/**
 * CPU time and peak memory of other processes, read from /proc: a bench phase samples n8n's
 * process group (main, its task runner) before and after, so the CPU the load generator and the
 * shop sandbox spend in the bench process is not counted as n8n's. Linux only; elsewhere the
 * figures are absent.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

interface ProcStat {
	pid: number;
	command: string;
	processGroup: number;
	cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
	try {
		const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name is in parentheses and may hold spaces: fields start after the last ')'.
		const command = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
		const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
		const processGroup = Number(fields[2]);
		const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
		return { pid, command, processGroup, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
	} catch {
		return undefined; // gone, or not Linux
	}
}

function allPids(): number[] {
	try {
		return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
	} catch {
		return [];
	}
}

function pidsOf(processGroup: number): number[] {
	return allPids().filter((pid) => readStat(pid)?.processGroup === processGroup);
}

/** Pids of the processes running this command (its name in /proc/<pid>/stat, e.g. `redis-server`). */
export function pidsOfCommand(command: string): number[] {
	return allPids().filter((pid) => readStat(pid)?.command === command);
}

/** CPU milliseconds (user + system) used so far by these processes (those gone count 0). */
export function cpuMsOfPids(pids: number[]): Map<number, number> {
	return new Map(pids.map((pid) => [pid, readStat(pid)?.cpuMs ?? 0]));
}

/**
 * Local ports of the group's established TCP connections to `remotePort` (read from the sockets
 * its processes hold and /proc/net/tcp*). A database server names the client port of each of its
 * sessions (PostgreSQL's pg_stat_activity.client_port), so these tell which server processes work
 * for the group.
 */
export function clientPortsTo(processGroup: number, remotePort: number): number[] {
	const inodes = new Set<string>();
	for (const pid of pidsOf(processGroup)) {
		let fds: string[] = [];
		try {
			fds = readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			try {
				const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
				if (inode) inodes.add(inode);
			} catch {
				/* closed meanwhile */
			}
		}
	}
	const ports: number[] = [];
	for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let lines: string[] = [];
		try {
			lines = readFileSync(table, 'utf8').split('\n').slice(1);
		} catch {
			continue;
		}
		for (const line of lines) {
			const [, local, remote, state, , , , , , inode] = line.trim().split(/\s+/);
			if (!local || !remote || state !== '01' || !inodes.has(inode ?? '')) continue; // 01: established
			const portOf = (address: string) => Number.parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
			if (portOf(remote) === remotePort) ports.push(portOf(local));
		}
	}
	return ports;
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
