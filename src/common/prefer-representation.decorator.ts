import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';

/**
 * Whether the client asked for the full representation in its answer (RFC 7240:
 * `Prefer: return=representation`); `return=minimal`, or no such preference, gets the short
 * result. When honoured, the response says so (`Preference-Applied`). Other preferences, and
 * tokens this service does not know, are ignored, as the RFC asks.
 */
export const PrefersRepresentation = createParamDecorator((_data: unknown, ctx: ExecutionContext): boolean => {
  const http = ctx.switchToHttp();
  const raw = http.getRequest<Request>().headers.prefer;
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const wants = values
    .flatMap((v) => v.split(','))
    .map((p) => p.split(';')[0].trim().toLowerCase().replace(/\s+/g, '').replace(/"/g, ''))
    .includes('return=representation');
  if (wants) http.getResponse<Response>().setHeader('Preference-Applied', 'return=representation');
  return wants;
});
