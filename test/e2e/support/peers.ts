import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, waitFor } from '../../support/process.js';
import type { LoopbackHost } from '../../support/net.js';
import { isUdpPortBound } from '../../support/procfs.js';

const REQUIRED_PEERS = ['ffmpeg', 'ffprobe', 'srt-live-transmit'] as const;

/** Fails loudly when a real SRT peer is missing: these tests are never skipped. */
export function requirePeers(): void {
  const missing = REQUIRED_PEERS.filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(
      `e2e tests need real SRT peers; missing on PATH: ${missing.join(', ')}. ` +
        'Install them with: apt-get install -y ffmpeg srt-tools',
    );
  }
  const protocols = spawnSync('ffmpeg', ['-hide_banner', '-protocols'], { encoding: 'utf8' }).stdout ?? '';
  if (!/^\s*srt\s*$/m.test(protocols)) {
    throw new Error('ffmpeg on PATH was built without libsrt (no "srt" in `ffmpeg -protocols`). apt-get install -y ffmpeg srt-tools');
  }
}

function srtHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function encryptionQuery(passphrase: string | undefined, pbkeylen: number | undefined): string {
  let query = '';
  if (passphrase !== undefined) query += `&passphrase=${passphrase}`;
  if (pbkeylen !== undefined) query += `&pbkeylen=${pbkeylen}`;
  return query;
}

/** Waits (at most 5 s) for the listener `proc` to bind UDP `port`; throws if it exits first. */
async function listening(proc: ManagedProcess, what: string, port: number): Promise<void> {
  await waitFor(`${what} to bind UDP ${port}`, () => (isUdpPortBound(port) ? true : proc.running ? undefined : true), 5000, 20);
  if (!proc.running) throw new Error(`${what} exited at start\n${proc.describe()}`);
}

export interface ReceiverOriginOptions {
  readonly dir: string;
  readonly name: string;
  readonly host?: LoopbackHost;
  readonly port: number;
  readonly passphrase?: string;
  readonly pbkeylen?: 16 | 24 | 32;
  /**
   * Writes libsrt's own statistics of the link as JSON lines to this file (`-s <n> -pf json -f -statsout`), every
   * `statsEveryPackets` packets, with cumulative counters.
   */
  readonly statsFile?: string;
  readonly statsEveryPackets?: number;
}

/** An origin stand-in that receives a published stream: srt-live-transmit listener writing the TS to a file. */
export class ReceiverOrigin {
  private constructor(
    readonly process: ManagedProcess,
    readonly file: string,
    readonly host: LoopbackHost,
    readonly port: number,
  ) {}

  static async start(options: ReceiverOriginOptions): Promise<ReceiverOrigin> {
    const host = options.host ?? '127.0.0.1';
    const file = join(options.dir, `${options.name}.ts`);
    const url = `srt://${srtHost(host)}:${options.port}?mode=listener${encryptionQuery(options.passphrase, options.pbkeylen)}`;
    const stats = options.statsFile === undefined ? [] : ['-s', String(options.statsEveryPackets ?? 50), '-pf', 'json', '-f', '-statsout', options.statsFile];
    const proc = new ManagedProcess(`origin ${options.name} (srt-live-transmit :${options.port})`, 'srt-live-transmit', [url, 'file://con', ...stats], {
      stdoutFile: file,
    });
    await listening(proc, 'srt-live-transmit', options.port);
    return new ReceiverOrigin(proc, file, host, options.port);
  }

  get bytes(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  /** Stops srt-live-transmit (flushing the file) before the file is inspected. */
  async stop(): Promise<void> {
    await this.process.stop('SIGTERM', 2000);
  }
}

export interface ServingOriginOptions {
  readonly dir: string;
  readonly name: string;
  readonly host?: LoopbackHost;
  readonly port: number;
  readonly seconds: number;
  readonly size?: string;
}

/**
 * An origin stand-in that serves a player: ffmpeg generating testsrc (H.264) into an SRT listener. ffmpeg only
 * starts producing once a caller has connected, so the player sees the stream from its beginning.
 */
export class ServingOrigin {
  private constructor(
    readonly process: ManagedProcess,
    readonly port: number,
  ) {}

  static async start(options: ServingOriginOptions): Promise<ServingOrigin> {
    const host = options.host ?? '127.0.0.1';
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'warning', '-re',
      '-f', 'lavfi', '-i', `testsrc=size=${options.size ?? '320x240'}:rate=25`,
      '-t', String(options.seconds),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25',
      '-f', 'mpegts', `srt://${srtHost(host)}:${options.port}?mode=listener`,
    ];
    const proc = new ManagedProcess(`serving origin ${options.name} (ffmpeg listener :${options.port})`, 'ffmpeg', args);
    await listening(proc, 'ffmpeg serving origin', options.port);
    return new ServingOrigin(proc, options.port);
  }

  async stop(): Promise<void> {
    await this.process.stop('SIGTERM', 2000);
  }
}

export interface PublishOptions {
  readonly host?: string;
  readonly port: number;
  /** Full stream id, e.g. `#!::r=live/a,m=publish`. */
  readonly streamId: string;
  readonly seconds: number;
  /** lavfi video source name: testsrc, smptebars, testsrc2, ... */
  readonly source?: string;
  readonly size?: string;
  readonly audio?: boolean;
  readonly passphrase?: string;
  readonly pbkeylen?: 16 | 24 | 32;
  readonly name?: string;
}

export interface PeerRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly durationMs: number;
  readonly stderr: string;
  readonly process: ManagedProcess;
}

/** Starts an ffmpeg publisher (caller): lavfi source at 25 fps, GOP 25, x264 ultrafast zerolatency, MPEG-TS over SRT. */
export function startPublisher(options: PublishOptions): ManagedProcess {
  const host = options.host ?? '127.0.0.1';
  const url = `srt://${srtHost(host)}:${options.port}?streamid=${options.streamId}${encryptionQuery(options.passphrase, options.pbkeylen)}`;
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'warning', '-re',
    '-f', 'lavfi', '-i', `${options.source ?? 'testsrc'}=size=${options.size ?? '320x240'}:rate=25`,
  ];
  if (options.audio ?? true) args.push('-f', 'lavfi', '-i', 'sine=frequency=1000');
  args.push('-t', String(options.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25');
  if (options.audio ?? true) args.push('-c:a', 'aac');
  args.push('-f', 'mpegts', url);
  return new ManagedProcess(`publisher ${options.name ?? options.streamId}`, 'ffmpeg', args);
}

/** How long a publisher may run before it is killed: its `seconds` + 15 s. */
export function publishTimeoutMs(options: PublishOptions): number {
  return options.seconds * 1000 + 15_000;
}

export interface PlayOptions {
  readonly host?: string;
  readonly port: number;
  readonly streamId: string;
  readonly seconds: number;
  readonly outFile: string;
  readonly name?: string;
}

/** An ffmpeg player (caller reading the stream) copying `seconds` of it into a TS file. */
export function startPlayer(options: PlayOptions): ManagedProcess {
  const host = options.host ?? '127.0.0.1';
  const url = `srt://${srtHost(host)}:${options.port}?streamid=${options.streamId}`;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'warning', '-i', url, '-t', String(options.seconds), '-c', 'copy', '-f', 'mpegts', '-y', options.outFile];
  return new ManagedProcess(`player ${options.name ?? options.streamId}`, 'ffmpeg', args);
}

/** How long a player may run before it is killed: its `seconds` + 20 s. */
export function playTimeoutMs(options: Pick<PlayOptions, 'seconds'>): number {
  return options.seconds * 1000 + 20_000;
}

/** Waits for a peer to exit (SIGKILL after `timeoutMs`) and sums up its run. */
export async function finishRun(proc: ManagedProcess, timeoutMs: number): Promise<PeerRun> {
  const exit = await proc.waitExit(timeoutMs);
  return { ...exit, durationMs: proc.durationMs, stderr: proc.stderr, process: proc };
}

export interface VideoInfo {
  readonly frames: number;
  readonly width: number;
  readonly height: number;
}

/** Decodes the first video stream of a TS file with ffprobe; frames = 0 when the file holds no decodable video. */
export function probeVideo(file: string): VideoInfo {
  const run = spawnSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height', '-of', 'json', file],
    { encoding: 'utf8', timeout: 30_000 },
  );
  let parsed: { streams?: { nb_read_frames?: string; width?: number; height?: number }[] } = {};
  try {
    parsed = JSON.parse(run.stdout || '{}') as typeof parsed;
  } catch {
    /* no output */
  }
  const stream = parsed.streams?.[0];
  return {
    frames: Number(stream?.nb_read_frames ?? 0) || 0,
    width: stream?.width ?? 0,
    height: stream?.height ?? 0,
  };
}

/** ffprobe -count_frames nb_read_frames of the first video stream. */
export function countVideoFrames(file: string): number {
  return probeVideo(file).frames;
}
