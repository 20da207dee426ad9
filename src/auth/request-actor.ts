import type { Actor } from '../../workflows/kernel/types';

/** What AuthGuard attaches to every authenticated request. */
declare module 'express-serve-static-core' {
  interface Request {
    /** The caller; set by AuthGuard on every route that is not @Public(). */
    actor?: Actor;
    /** Id (`jti`) of the access token the request was made with. */
    accessTokenId?: string;
  }
}

export {};
