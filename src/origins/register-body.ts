import type { IncomingMessage } from 'node:http';

export type RegisterBody = { ok: true; value: unknown } | { ok: false; status: 400 | 413; error: string };

/** The longest JSON.parse message echoed to the client. */
const MAX_REASON = 120;

/**
 * Reads and parses a JSON request body of at most `limitBytes`, whatever its Content-Type (SRS sends
 * application/json; `curl -d` sends form-urlencoded). The app runs without Nest's global body parser, so this is
 * the one reader of the register route: a small limit, and errors in the route's own JSON shape.
 * Never rejects.
 */
export function readRegisterBody(req: IncomingMessage, limitBytes: number): Promise<RegisterBody> {
  // A body parser in front of the route (an app created with Nest's default bodyParser) has consumed the stream.
  if (req.readableEnded) return Promise.resolve({ ok: true, value: (req as IncomingMessage & { body?: unknown }).body });

  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    return Promise.resolve(tooLarge(limitBytes));
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: RegisterBody): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        // Stop buffering; once the reply is sent Node discards the rest of the body.
        finish(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(parse(Buffer.concat(chunks, size)));
    const onError = (): void => finish({ ok: false, status: 400, error: 'the request body was cut short' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

function parse(bytes: Buffer): RegisterBody {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, status: 400, error: 'the body is not UTF-8 text' };
  }
  if (text.trim() === '') return { ok: false, status: 400, error: 'empty body: expected a JSON heartbeat' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, MAX_REASON) : 'parse error';
    return { ok: false, status: 400, error: `malformed JSON: ${reason}` };
  }
}

function tooLarge(limitBytes: number): RegisterBody {
  return { ok: false, status: 413, error: `body larger than ${limitBytes} bytes` };
}
