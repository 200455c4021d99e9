// Readers of Linux /proc shared by the e2e tests (test/e2e) and the benchmarks (bench): open fds, UDP sockets.

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Number of open file descriptors of `pid`, and how many of them are sockets. */
export function fdCount(pid: number): { total: number; sockets: number } {
  const dir = `/proc/${pid}/fd`;
  let total = 0;
  let sockets = 0;
  for (const entry of readdirSync(dir)) {
    let target: string;
    try {
      target = readlinkSync(`${dir}/${entry}`);
    } catch {
      continue; // closed between readdir and readlink
    }
    total += 1;
    if (target.startsWith('socket:')) sockets += 1;
  }
  return { total, sockets };
}

/** The inode column of each protocol table of /proc/<pid>/net (udp and tcp rows join two header words). */
const SOCKET_TABLES: readonly (readonly [string, number])[] = [
  ['udp', 9], ['udp6', 9], ['tcp', 9], ['tcp6', 9], ['raw', 9], ['raw6', 9], ['unix', 6], ['netlink', 9],
];

/**
 * Sockets of `pid` that no protocol table of its network namespace lists: UDP sockets holding no port, i.e. the
 * origin sockets the native data path keeps, disconnected, for the next sessions (docs/DATA-PATH.md). A session's
 * origin socket is bound and connected, so it is listed, and a leaked one is never counted here.
 */
export function unlistedSockets(pid: number): number {
  const listed = new Set<string>();
  for (const [table, column] of SOCKET_TABLES) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const inode = line.trim().split(/\s+/)[column];
      if (inode !== undefined) listed.add(inode);
    }
  }
  let unlisted = 0;
  const dir = `/proc/${pid}/fd`;
  for (const entry of readdirSync(dir)) {
    let target: string;
    try {
      target = readlinkSync(`${dir}/${entry}`);
    } catch {
      continue;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined && !listed.has(inode)) unlisted += 1;
  }
  return unlisted;
}

/**
 * The socket rows of /proc/net/udp and /proc/net/udp6 (header line dropped), split into columns:
 * `sl local_address rem_address st tx_queue:rx_queue ... drops`. A file that cannot be read is skipped.
 */
function udpSocketRows(): string[][] {
  const rows: string[][] = [];
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) rows.push(line.trim().split(/\s+/));
  }
  return rows;
}

/** True when some process has a UDP socket bound to `port` (any address), per /proc/net/udp{,6}. */
export function isUdpPortBound(port: number): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return udpSocketRows().some((cols) => cols[1]?.endsWith(`:${hex}`) ?? false);
}

/**
 * Per-socket receive-queue drops from /proc/net/udp{,6}, keyed by local port (summed if several sockets share
 * a port). These are datagrams the kernel threw away because the receiving socket's buffer was full.
 */
export function udpDropsByPort(): Map<number, number> {
  const drops = new Map<number, number>();
  for (const cols of udpSocketRows()) {
    if (cols.length < 13) continue;
    const port = Number.parseInt(cols[1]!.split(':').pop()!, 16);
    drops.set(port, (drops.get(port) ?? 0) + Number(cols[cols.length - 1]));
  }
  return drops;
}

/** utime + stime of every thread of `pid`, in seconds (from /proc/<pid>/stat; USER_HZ is 100 on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces): utime is field 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
