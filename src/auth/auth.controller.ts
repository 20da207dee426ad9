import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Actor } from '../../workflows/kernel/types';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { AuthService } from './auth.service';
import { SignInDto, SignInResponseDto, UserDto } from './auth.dto';
import { ClientIp } from './client-ip.decorator';
import { CurrentActor } from './current-actor.decorator';
import { Public } from './public.decorator';
import { SignInThrottlerGuard } from './sign-in-throttler.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('sign-in')
  @Public()
  @UseGuards(SignInThrottlerGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for a short-lived access token' })
  @ApiOkResponse({ type: SignInResponseDto })
  @ApiErrors(
    400,
    { status: 401, description: 'UNAUTHENTICATED: email or password is incorrect (the same answer for every failure)' },
    { status: 429, description: 'RATE_LIMITED: too many attempts from this address' },
    503,
  )
  async signIn(@Body() body: SignInDto, @ClientIp() ip: string | null): Promise<SignInResponseDto> {
    const result = await this.auth.signIn(body.email, body.password, ip);
    return {
      accessToken: result.accessToken,
      expiresIn: result.expiresIn,
      expiresAt: result.expiresAt,
      user: UserDto.from(result.user),
    };
  }

  @Post('sign-out')
  @HttpCode(204)
  @ApiBearer()
  @ApiOperation({ summary: 'Revoke the access token this request was made with' })
  @ApiNoContentResponse()
  async signOut(@CurrentActor() actor: Actor, @Req() request: Request, @ClientIp() ip: string | null): Promise<void> {
    await this.auth.signOut(actor, request.accessTokenId as string, ip);
  }

  @Get('me')
  @ApiBearer()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserDto })
  async me(@CurrentActor() actor: Actor): Promise<UserDto> {
    return UserDto.from(await this.auth.me(actor));
  }
}
