import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { AccessTokenService } from '../auth/access-token.service';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { DEADLINES_QUEUE, WEBHOOKS_QUEUE } from './deadline-jobs';

export const BOARD_PATH = '/admin/queues';
const COOKIE = 'amendflow_board';

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * Express middleware in front of Bull Board. Bull Board is an Express router mounted outside
 * Nest's routing, where the global AuthGuard and RolesGuard never run, so it checks the same
 * thing itself: a valid bearer token (AccessTokenService, as AuthGuard) of an administrator.
 * 401 without a valid token, 403 for any other role, in the API's error shape.
 *
 * A browser cannot send an Authorization header when it navigates, so the entry page also takes
 * `?access_token=<token>` once: it is moved into an HttpOnly, SameSite=Strict cookie limited to
 * /admin/queues and the URL is redirected without it. The cookie holds the same token and is
 * checked the same way on every request.
 */
export function adminOnly(tokens: AccessTokenService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const fromQuery =
      req.method === 'GET' && typeof req.query?.access_token === 'string' ? req.query.access_token : undefined;
    const header =
      req.headers.authorization ??
      (fromQuery ? `Bearer ${fromQuery}` : undefined) ??
      (cookie(req, COOKIE) ? `Bearer ${cookie(req, COOKIE)}` : undefined);
    tokens
      .authenticate(header)
      .then(({ actor }) => {
        if (actor.role !== 'admin') {
          throw new DomainException(
            ErrorCode.FORBIDDEN,
            `The queue dashboard needs the role admin; you are ${actor.role}`,
            { requiredRoles: ['admin'], role: actor.role },
          );
        }
        if (fromQuery) {
          const secure = req.secure ? '; Secure' : '';
          res.setHeader(
            'Set-Cookie',
            `${COOKIE}=${encodeURIComponent(fromQuery)}; Path=${BOARD_PATH}; HttpOnly; SameSite=Strict${secure}`,
          );
          const url = new URL(req.originalUrl, 'http://localhost');
          url.searchParams.delete('access_token');
          res.redirect(303, `${url.pathname}${url.search}`);
          return;
        }
        next();
      })
      .catch((err: unknown) => {
        const e = err instanceof DomainException ? err : new DomainException(ErrorCode.INTERNAL, 'Internal error');
        if (e.code === ErrorCode.UNAUTHENTICATED) res.setHeader('WWW-Authenticate', 'Bearer');
        res.status(e.status).json(e.toBody());
      });
  };
}

/** Mounts Bull Board (queues `deadlines` and `webhooks`) at /admin/queues, behind {@link adminOnly}. */
@Injectable()
export class BullBoardMount implements OnModuleInit {
  private readonly log = new Logger('BullBoard');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly tokens: AccessTokenService,
    @InjectQueue(DEADLINES_QUEUE) private readonly deadlines: Queue,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly webhooks: Queue,
  ) {}

  onModuleInit(): void {
    const http = this.adapterHost?.httpAdapter;
    if (!http || http.getType() !== 'express') return; // an application context (the worker) has no HTTP
    const server = new ExpressAdapter();
    server.setBasePath(BOARD_PATH);
    createBullBoard({
      queues: [new BullMQAdapter(this.deadlines), new BullMQAdapter(this.webhooks)],
      serverAdapter: server,
      options: { uiConfig: { boardTitle: 'amendflow queues' } },
    });
    // @bull-board/express declares its router as `any`; it is an Express sub-application.
    // Registered during init, after Nest's routes and before its not-found handler.
    const router = server.getRouter() as Express;
    router.disable?.('x-powered-by'); // Bull Board's router is an Express sub-application of its own
    http.getInstance<Express>().use(BOARD_PATH, adminOnly(this.tokens), router);
    this.log.debug(`Bull Board at ${BOARD_PATH} (administrators only)`);
  }
}
