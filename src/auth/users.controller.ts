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
import { CreateUserDto, ListUsersQueryDto, RevokedTokensDto, UpdateUserDto, UserDto } from './auth.dto';
import { ClientIp } from './client-ip.decorator';
import { CurrentActor } from './current-actor.decorator';
import { Roles } from './roles.decorator';
import { UsersService } from './users.service';
import { MemberStateAsData } from './member-state-naming.guard';

@ApiTags('users')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'The caller lacks the role the route needs' })
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @MemberStateAsData('admin')
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

  @MemberStateAsData('manager', 'admin')
  @Get()
  @Roles('manager', 'admin')
  @ApiOperation({ summary: 'List users (filter by role, member state, active)' })
  @ApiOkResponse({ type: UserDto, isArray: true })
  async list(@Query() query: ListUsersQueryDto): Promise<UserDto[]> {
    return (await this.users.list(query)).map(UserDto.from);
  }

  @MemberStateAsData('admin')
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
