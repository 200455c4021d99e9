import type { AppConfig } from '../config/app-config.js';
import type { NativeAddon } from '../srt/transport/native/native-addon.js';
import { loadNativeAddon } from '../srt/transport/native/load-native-data-path.js';

/** DI token of the ListenSockets (null when the workers bind their own sockets: the TypeScript data path). */
export const LISTEN_SOCKETS = Symbol('LISTEN_SOCKETS');

/**
 * The SRT workers' public sockets, opened and owned by the main thread (native data path): each stays in the
 * SO_REUSEPORT group while its worker restarts, so the kernel moves no flow (docs/KUBERNETES.md "SO_REUSEPORT and
 * restarts"). A worker adopts its socket by number (DataPathListenOptions.socketFd): threads share the fd table.
 */
export interface ListenSockets {
  /** A UDP socket bound with SO_REUSEPORT on host:port (0: a free port); throws the bind error (EADDRINUSE...). */
  open(host: string, port: number, receiveBufferBytes: number, sendBufferBytes: number): { fd: number; address: string; port: number };
  /** Closes a socket open() returned once no worker reads it; throws for any other fd. */
  close(fd: number): void;
}

/** ListenSockets of the native addon (native/src/dp_listen_sockets.c). */
export class NativeListenSockets implements ListenSockets {
  constructor(private readonly addon: NativeAddon) {}

  open(host: string, port: number, receiveBufferBytes: number, sendBufferBytes: number): { fd: number; address: string; port: number } {
    return this.addon.openListenSocket(host, port, receiveBufferBytes, sendBufferBytes);
  }

  close(fd: number): void {
    this.addon.closeListenSocket(fd);
  }
}

/**
 * The main thread holds the workers' sockets when they run the native data path (DATA_PATH=native and the addon
 * loads here, as it will in the workers); otherwise null: each worker binds its own with node:dgram.
 */
export function listenSocketsFor(config: AppConfig): ListenSockets | null {
  if (config.srt.dataPath !== 'native') return null;
  try {
    return new NativeListenSockets(loadNativeAddon());
  } catch {
    // The workers fall back to the TypeScript path and say why in their start-up line.
    return null;
  }
}
