import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { ApiBearer, ApiErrors } from '../common/openapi';
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
import { Roles } from '../common/roles.decorator';
import { UsersService } from './users.service';
import { MemberStateAsData } from '../common/member-state-as-data.decorator';

@ApiTags('users')
@ApiBearer()
@ApiErrors({ status: 403, description: 'FORBIDDEN: the caller lacks the role the route needs' })
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
  @ApiErrors(400, 403, 404)
  async issuePasswordReset(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<PasswordResetLinkDto> {
    return this.passwords.issueReset(id, actor, ip);
  }

  @MemberStateAsData('admin')
  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a user; an approver needs a current member state' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, { status: 409, description: 'CONFLICT: a user with this email exists' }, 413, {
    status: 422,
    description: 'UNPROCESSABLE: a member state for a non-approver, or an approver without one',
  })
  async create(
    @Body() body: CreateUserDto,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.create(body, { actor, ip }));
  }

  @MemberStateAsData('manager', 'admin')
  @Get()
  @Roles('manager', 'admin')
  @ApiOperation({ summary: 'List users (filter by role, member state, active)' })
  @ApiOkResponse({ type: UserDto, isArray: true })
  @ApiErrors(400)
  async list(@Query() query: ListUsersQueryDto): Promise<UserDto[]> {
    return (await this.users.list(query)).map((u) => UserDto.from(u));
  }

  @MemberStateAsData('admin')
  @Patch(':id')
  @Roles('admin')
  @ApiOperation({
    summary:
      'Change role, member state, name or active flag; a role/state change or a deactivation revokes the user’s tokens',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: the id is not a UUID, or the body is invalid' },
    { status: 404, description: 'NOT_FOUND: no user with this id' },
    413,
    {
      status: 422,
      description:
        'UNPROCESSABLE: changing your own role or deactivating yourself, or a member state that does not fit the role',
    },
  )
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
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: the id is not a UUID' },
    { status: 404, description: 'NOT_FOUND: no user with this id' },
  )
  async revokeTokens(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<RevokedTokensDto> {
    return { tokensRevoked: await this.users.revokeTokens(id, { actor, ip }) };
  }
}
