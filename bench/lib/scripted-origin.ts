import type dgram from 'node:dgram';
import { bindUdp, closeUdp } from '../../test/support/net.js';
import {
  HandshakeType,
  handshakeCookieOf,
  handshakeTypeOf,
  isHandshake,
  originConclusionResponse,
  originInductionResponse,
  randomSocketId,
} from './srt-packets.js';

/**
 * A scripted SRT listener on node:dgram, standing in for an SRS origin: answers INDUCTION (v5, 0x4A17, its cookie)
 * and CONCLUSION with the right cookie (type CONCLUSION, its own socket id), then only counts data datagrams
 * addressed to it. The receive path is a bit test and two increments, so it stays cheap at high rates.
 */
export class ScriptedOrigin {
  readonly socketId = randomSocketId();
  readonly cookie = randomSocketId();
  dataPackets = 0;
  otherPackets = 0;
  inductions = 0;
  conclusions = 0;
  badCookies = 0;
  /** Peers that completed the handshake: they get a KEEPALIVE every second, as a libsrt peer would send. */
  private readonly peers = new Map<string, { address: string; port: number; socketId: number }>();
  private readonly keepalive: NodeJS.Timeout;

  private constructor(
    readonly socket: dgram.Socket,
    private readonly epoch: number,
  ) {
    socket.on('message', (msg, rinfo) => {
      if ((msg[0]! & 0x80) === 0) {
        this.dataPackets++;
        return;
      }
      this.onControl(msg, rinfo);
    });
    socket.on('error', () => undefined);
    // Keeps a relay's idle timer (which watches both directions) from closing the session during long runs.
    this.keepalive = setInterval(() => {
      const now = Math.floor((performance.now() - this.epoch) * 1000);
      for (const peer of this.peers.values()) this.socket.send(keepalivePacket(peer.socketId, now), peer.port, peer.address);
    }, 1000);
    this.keepalive.unref();
  }

  static async create(host = '127.0.0.1', receiveBufferBytes = 0): Promise<ScriptedOrigin> {
    const socket = await bindUdp(host);
    if (receiveBufferBytes > 0) socket.setRecvBufferSize(receiveBufferBytes);
    return new ScriptedOrigin(socket, performance.now());
  }

  get port(): number {
    return this.socket.address().port;
  }

  private onControl(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (!isHandshake(msg) || msg.readUInt32BE(12) !== 0) {
      this.otherPackets++;
      if (msg.length >= 16 && msg[0] === 0x80 && msg[1] === 0x05) {
        // SHUTDOWN: stop the keepalives for that peer.
        for (const [key, peer] of this.peers) if (peer.address === rinfo.address && peer.port === rinfo.port) this.peers.delete(key);
      }
      return;
    }
    const type = handshakeTypeOf(msg);
    const now = Math.floor((performance.now() - this.epoch) * 1000);
    if (type === HandshakeType.INDUCTION) {
      this.inductions++;
      this.socket.send(originInductionResponse(msg, this.cookie), rinfo.port, rinfo.address);
    } else if (type === HandshakeType.CONCLUSION) {
      if (handshakeCookieOf(msg) !== this.cookie) {
        this.badCookies++; // libsrt ignores it silently; so do we
        return;
      }
      this.conclusions++;
      const callerSocketId = msg.readUInt32BE(40);
      this.peers.set(`${rinfo.address}|${rinfo.port}|${callerSocketId}`, { address: rinfo.address, port: rinfo.port, socketId: callerSocketId });
      this.socket.send(originConclusionResponse(msg, this.socketId, now), rinfo.port, rinfo.address);
    } else {
      this.otherPackets++;
    }
  }

  close(): Promise<void> {
    clearInterval(this.keepalive);
    return closeUdp(this.socket);
  }
}

/** KEEPALIVE (control type 1) as libsrt sends it: header plus 4 zero bytes. */
function keepalivePacket(destinationSocketId: number, timestamp: number): Buffer {
  const p = Buffer.alloc(20);
  p.writeUInt32BE(0x80010000, 0);
  p.writeUInt32BE(timestamp >>> 0, 8);
  p.writeUInt32BE(destinationSocketId >>> 0, 12);
  return p;
}
