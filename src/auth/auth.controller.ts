import { Body, Controller, Get, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Actor } from '../../workflows/kernel/types';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { AuthService } from './auth.service';
import { AuthConfigDto, ChangePasswordDto, ResetPasswordDto, SignInDto, SignInResponseDto, UserDto } from './auth.dto';
import { PasswordsService } from './passwords.service';
import { DEMO_PASSWORD } from './demo-accounts.seeder';
import { ClientIp } from './client-ip.decorator';
import { CurrentActor } from './current-actor.decorator';
import { Public } from './public.decorator';
import { SignInThrottlerGuard } from './sign-in-throttler.guard';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly passwords: PasswordsService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  @Get('config')
  @Public()
  @ApiOperation({ summary: 'What the sign-in page needs to know: demo mode and the password rules' })
  @ApiOkResponse({ type: AuthConfigDto })
  @ApiErrors({
    status: 400,
    description: 'INVALID_PAYLOAD: the request cannot be read (e.g. a body that does not decompress)',
  })
  config(): AuthConfigDto {
    const demo = this.runtime.env.DEMO;
    return {
      demo,
      demoBanner: demo
        ? `Demonstration mode: anyone can sign in to the demo accounts (e.g. admin@amendflow.local) with the password "${DEMO_PASSWORD}". Do not enter real data.`
        : null,
      passwordMinLength: this.settings.passwordMinLength,
    };
  }

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

  @Post('password')
  @HttpCode(204)
  @ApiBearer()
  @ApiOperation({ summary: 'Change the password of the signed-in user; their other tokens are revoked' })
  @ApiNoContentResponse()
  @ApiErrors({
    status: 400,
    description:
      'INVALID_PAYLOAD: the current password is wrong, or the new one breaks a rule (the message says which)',
  })
  async changePassword(
    @Body() body: ChangePasswordDto,
    @CurrentActor() actor: Actor,
    @Req() request: Request,
    @ClientIp() ip: string | null,
  ): Promise<void> {
    await this.passwords.change(actor, request.accessTokenId, body.currentPassword, body.newPassword, ip);
  }

  @Post('password-reset')
  @Public()
  @UseGuards(SignInThrottlerGuard)
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password with a one-time reset link an administrator issued' })
  @ApiNoContentResponse()
  @ApiErrors(
    {
      status: 400,
      description: 'INVALID_PAYLOAD: the link is not valid, used or expired, or the new password breaks a rule',
    },
    429,
  )
  async resetPassword(@Body() body: ResetPasswordDto, @ClientIp() ip: string | null): Promise<void> {
    await this.passwords.reset(body.token, body.newPassword, ip);
  }

  @Get('me')
  @ApiBearer()
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserDto })
  async me(@CurrentActor() actor: Actor): Promise<UserDto> {
    return UserDto.from(await this.auth.me(actor));
  }
}
