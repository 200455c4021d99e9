import type { Socket } from 'node:dgram';

/**
 * Applies SO_RCVBUF/SO_SNDBUF to a bound socket (0 keeps the kernel default). Returns an explanation instead of
 * throwing: the kernel caps the values at net.core.rmem_max/wmem_max, and a refused size must not stop the proxy.
 */
export function applySocketBuffers(
  socket: Socket,
  sizes: { readonly receiveBufferBytes: number; readonly sendBufferBytes: number },
): string | undefined {
  try {
    if (sizes.receiveBufferBytes > 0) socket.setRecvBufferSize(sizes.receiveBufferBytes);
    if (sizes.sendBufferBytes > 0) socket.setSendBufferSize(sizes.sendBufferBytes);
    return undefined;
  } catch (error) {
    return `could not set UDP buffer sizes: ${(error as Error).message}`;
  }
}
