import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig, SrtConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.tokens.js';
import { formatHostPort } from '../../config/listen-address.js';
import { COOKIE_SECRET } from '../session/cookie-secret.js';
import { HandshakeEngine } from '../session/handshake-engine.js';
import { SessionManager } from '../session/session-manager.js';
import { DATA_PATH, type DataPath, type DataPathBinding, type DataPathEvents, type LinkEnd, type LinkId } from './data-path.js';

/**
 * The SRT side's shell: binds the data path's public socket and routes what the data path hands over, handshakes
 * to the handshake engine and link events to the session manager. Relayed packets never come here.
 */
@Injectable()
export class SrtListener {
  private readonly config: SrtConfig;
  private readonly logger = new Logger('SrtListener');
  private binding: DataPathBinding | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(DATA_PATH) private readonly dataPath: DataPath,
    private readonly sessions: SessionManager,
    private readonly handshakes: HandshakeEngine,
    @Inject(COOKIE_SECRET) private readonly cookieSecret: Buffer,
  ) {
    this.config = config.srt;
  }

  get isBound(): boolean {
    return this.binding !== undefined;
  }

  /** The bound address, once listening (the configured port may be 0 in tests). */
  address(): { address: string; port: number } | undefined {
    return this.binding === undefined ? undefined : { address: this.binding.address, port: this.binding.port };
  }

  async start(): Promise<void> {
    const { host, port } = this.config.listen;
    const handshakes = this.handshakes;
    const sessions = this.sessions;
    const events: DataPathEvents = {
      onHandshake: (msg: Buffer, address: string, p: number, cookieVerified?: boolean) =>
        handshakes.onHandshake(msg, address, p, cookieVerified === true),
      onOriginHandshake: (link: LinkId, msg: Buffer) => sessions.onOriginHandshake(link, msg),
      onLinkError: (link: LinkId, code: string) => sessions.onLinkError(link, code),
      onLinkEnded: (link: LinkId, why: LinkEnd) => sessions.onLinkEnded(link, why),
    };
    const binding = await this.dataPath.listen(
      {
        host,
        port,
        receiveBufferBytes: this.config.receiveBufferBytes,
        sendBufferBytes: this.config.sendBufferBytes,
        originBufferBytes: this.config.originSocketBufferBytes,
        // SRT workers share the port; the kernel hashes each caller's 4-tuple to one of them.
        reusePort: this.config.reusePort,
        // The engine's own: the data path may answer INDUCTIONs with it.
        cookieSecret: this.cookieSecret,
        // An SRT worker's socket that the main thread holds across the worker's restarts.
        ...(this.config.listenFd !== undefined ? { socketFd: this.config.listenFd } : {}),
      },
      events,
    );
    this.binding = binding;
    this.reportBufferSizes(binding);
    this.sessions.start();
    this.logger.log(`SRT listening on udp ${formatHostPort({ host: binding.address, port: binding.port })}`);
  }

  /** Ends every session (SHUTDOWN to both sides), then closes the data path. */
  async stop(): Promise<void> {
    if (this.binding === undefined) return;
    this.sessions.closeAll();
    this.binding = undefined;
    // The data path lets queued SHUTDOWNs leave before its sockets close.
    await this.dataPath.close();
  }

  /**
   * Linux silently caps SO_RCVBUF at net.core.rmem_max (and reports double the usable size); a too-small buffer
   * shows up later as loss under bursts, so say it once at start-up where an operator looks.
   */
  private reportBufferSizes(binding: DataPathBinding): void {
    const receive = binding.receiveBufferBytes;
    const send = binding.sendBufferBytes;
    const wanted = this.config.receiveBufferBytes;
    // Linux reports twice the size it was given (the other half is bookkeeping).
    if (wanted > 0 && receive / 2 < wanted) {
      this.logger.warn(
        `SO_RCVBUF is ${receive / 2} usable bytes, below SRT_RECV_BUFFER_BYTES=${wanted}: raise net.core.rmem_max to avoid loss under bursts`,
      );
    } else {
      this.logger.log(`UDP buffers: receive ${receive} bytes, send ${send} bytes`);
    }
  }
}
