import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AccessTokenService } from './access-token.service';
import { IS_PUBLIC } from './public.decorator';

/**
 * Global guard (APP_GUARD): every HTTP route needs a valid, unrevoked bearer token of an
 * active user unless it is marked @Public(). Sets `request.actor` from the user record, so
 * role and member state never come from the request itself.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const { actor, tokenId } = await this.tokens.authenticate(request.headers.authorization);
    request.actor = actor;
    request.accessTokenId = tokenId;
    return true;
  }
}
