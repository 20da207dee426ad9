import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import {
  CreateUserDto,
  ListUsersQueryDto,
  PasswordResetLinkDto,
  RevokedTokensDto,
  UpdateUserDto,
  UserDto,
} from './auth.dto';
import { PasswordsService } from './passwords.service';
import { ClientIp } from './client-ip.decorator';
import { CurrentActor } from './current-actor.decorator';
import { Roles } from './roles.decorator';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'The caller lacks the role the route needs' })
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordsService,
  ) {}

  @Post(':id/password-reset')
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({
    summary: 'Issue a one-time password reset link for the user (valid PASSWORD_RESET_TTL; earlier links stop working)',
  })
  @ApiCreatedResponse({ type: PasswordResetLinkDto })
  async issuePasswordReset(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<PasswordResetLinkDto> {
    return this.passwords.issueReset(id, actor, ip);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a user; an approver needs a current member state' })
  @ApiCreatedResponse({ type: UserDto })
  async create(
    @Body() body: CreateUserDto,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.create(body, { actor, ip }));
  }

  @Get()
  @Roles('manager', 'admin')
  @ApiOperation({ summary: 'List users (filter by role, member state, active)' })
  @ApiOkResponse({ type: UserDto, isArray: true })
  async list(@Query() query: ListUsersQueryDto): Promise<UserDto[]> {
    return (await this.users.list(query)).map(UserDto.from);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary:
      'Change role, member state, name or active flag; a role/state change or a deactivation revokes the user’s tokens',
  })
  @ApiOkResponse({ type: UserDto })
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.update(id, body, { actor, ip }));
  }

  @Post(':id/revoke-tokens')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Revoke every unexpired token of the user (they must sign in again)' })
  @ApiOkResponse({ type: RevokedTokensDto })
  async revokeTokens(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<RevokedTokensDto> {
    return { tokensRevoked: await this.users.revokeTokens(id, { actor, ip }) };
  }
}
