import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import { DomainException, ErrorCode, type ErrorBody } from './domain.exception';

/**
 * The transport of a request body, checked before any parser reads it: a body must say what it is
 * (JSON, or a form), in UTF-8, compressed (if at all) with gzip, deflate or br. Anything else is
 * 415 with a sentence naming what to send instead; a body that does not decompress as its
 * Content-Encoding says is 400. These used to reach the error handler as bare stream errors (500).
 */

const MEDIA_TYPES = new Set(['application/json', 'application/x-www-form-urlencoded']);
const ENCODINGS = new Set(['identity', 'gzip', 'x-gzip', 'deflate', 'br']);
const UTF8 = new Set(['utf-8', 'utf8']);

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return length !== undefined && length !== '0';
}

/** `type/subtype; a=b; c="d"` → the media type and parameters, or null when it does not parse. */
export function parseContentType(value: string): { type: string; params: Record<string, string> } | null {
  const [head, ...rest] = value.split(';');
  const type = head.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return null;
  const params: Record<string, string> = {};
  for (const part of rest) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    if (!/^[a-z0-9!#$&^_.+-]+$/i.test(key) || v === '') return null;
    params[key] = v;
  }
  return { type, params };
}

function unsupported(message: string): DomainException {
  return new DomainException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, message);
}

/** Express middleware run before the body parsers. */
export function refuseUnreadableTransport(req: Request, _res: Response, next: NextFunction): void {
  if (!hasBody(req)) return next();
  const raw = req.headers['content-type'];
  if (raw === undefined) {
    return next(unsupported('The request has a body but no Content-Type; send it as application/json'));
  }
  const ct = parseContentType(raw);
  if (!ct) return next(unsupported(`The Content-Type "${raw.slice(0, 100)}" does not parse; send application/json`));
  if (!MEDIA_TYPES.has(ct.type))
    return next(unsupported(`The body is ${ct.type.slice(0, 100)}; this service reads application/json`));
  const charset = ct.params.charset?.toLowerCase();
  if (charset !== undefined && !UTF8.has(charset))
    return next(unsupported(`The body's charset is ${charset.slice(0, 40)}; send UTF-8 (charset=utf-8)`));
  const encodings = (req.headers['content-encoding'] ?? 'identity')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  if (encodings.length > 1)
    return next(unsupported('The body has more than one Content-Encoding; send one of gzip, deflate or br'));
  const encoding = encodings[0] ?? 'identity';
  if (!ENCODINGS.has(encoding))
    return next(
      unsupported(`The Content-Encoding "${encoding.slice(0, 40)}" is not supported; send gzip, deflate, br or none`),
    );
  if (encoding === 'x-gzip') req.headers['content-encoding'] = 'gzip';
  next();
}

// zlib (Z_DATA_ERROR ...) and brotli (ERR__ERROR_FORMAT_..., ERR_BROTLI_...) decoder errors
const ZLIB_CODES = /^(Z_|ERR_BROTLI|ERR__|ERR_ZLIB)/;

/** A decompression failure of the body (zlib/brotli errors wrapped by the body parser) as a 400. */
export function decompressionError(err: unknown, req: Request): DomainException | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && ZLIB_CODES.test(code)) {
    const encoding = String(req.headers['content-encoding'] ?? '').slice(0, 40);
    return new DomainException(
      ErrorCode.INVALID_PAYLOAD,
      `The request body does not decompress as its Content-Encoding (${encoding}) says; send it compressed that way or uncompressed`,
    );
  }
  return undefined;
}

/**
 * The first key that appears twice in one object of the JSON text, or null. JSON.parse keeps the
 * last one silently, so `{"memberState":"KZ","memberState":"CN"}` would mean something other than
 * what a proxy or a log shows: such bodies are refused. One pass over the bytes.
 */
export function duplicateJsonKey(buf: Buffer): string | null {
  const stack: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < buf.length && buf[i] !== 0x22; i++) {
        if (buf[i] === 0x5c) {
          escaped = true;
          i++;
        }
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        let key: string;
        try {
          key = escaped
            ? (JSON.parse(buf.toString('utf8', start, i + 1)) as string)
            : buf.toString('utf8', start + 1, i);
        } catch {
          return null; // not JSON: the parser says so
        }
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: new Set(), expectKey: true });
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: null, expectKey: false });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
    }
  }
  return null;
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (headers or URL over the header
 * size limit, malformed HTTP) are answered with the common error body. Node's own answer is a bare
 * status line without a body (e.g. `431` for a 20 KB query string).
 */
export function answerUnparsableRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [statusCode, error, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            ErrorCode.TOO_LARGE,
            'The request headers (the URL and query string included) are too large; send a shorter URL or fewer headers.',
          ]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, ErrorCode.INVALID_PAYLOAD, 'The request was not received in time; send it again.']
          : [400, ErrorCode.INVALID_PAYLOAD, 'The request is not well-formed HTTP.'];
    const body = JSON.stringify({ statusCode, error, message } satisfies ErrorBody);
    socket.end(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
