/**
 * How many datagrams node:dgram may hold for a socket when the kernel does not take them at once (full send buffer:
 * EAGAIN, libuv keeps them in user space and retries). Without a bound that queue grows with every relayed packet
 * for as long as the kernel lags, i.e. heap without limit; past it the relay drops and counts, as a router would.
 * SRT retransmits what matters, and a datagram this late is useless to a live stream anyway.
 */
/** Per origin socket (one session): ~1.5 MB of 1500-byte datagrams, a few hundred ms of a 20k packets/s stream. */
export const ORIGIN_SOCKET_SEND_QUEUE_LIMIT = 1024;
/** The public socket carries every session's origin-to-caller traffic, so it may queue more. */
export const PUBLIC_SOCKET_SEND_QUEUE_LIMIT = 8192;
