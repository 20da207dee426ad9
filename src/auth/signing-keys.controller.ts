import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { Roles } from '../common/roles.decorator';
import { isRegistrationResponse } from '../evidence/signed-statement';
import { CurrentActor } from './current-actor.decorator';
import {
  EndorseActDto,
  RegisterEd25519KeyDto,
  RegisterPasskeyDto,
  RevokeKeyDto,
  statementSignatureOf,
} from './signing-keys.dto';
import { SigningKeysService } from './signing-keys.service';

const OBJECT = { schema: { type: 'object', additionalProperties: true } } as const;

@ApiTags('signing keys')
@ApiBearer()
@Controller('signing-keys')
export class SigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @Get('mine')
  @Roles('approver')
  @ApiOperation({ summary: 'My signing keys (Ed25519 keys and passkeys), their state, and every act on them' })
  @ApiOkResponse(OBJECT)
  @ApiErrors({ status: 403, description: 'FORBIDDEN: member-state approvers only' })
  mine(@CurrentActor() actor: Actor) {
    return this.keys.state(actor.id);
  }

  @Get('users/:userId')
  @Roles('admin')
  @ApiOperation({ summary: "An approver's signing keys and every act on them (administrators)" })
  @ApiOkResponse(OBJECT)
  @ApiErrors(400, { status: 403, description: 'FORBIDDEN: administrators only' })
  ofUser(@Param('userId', ParseUUIDPipe) userId: string) {
    return this.keys.state(userId);
  }

  @Get('pending')
  @Roles('admin')
  @ApiOperation({ summary: 'Acts on signing keys waiting for confirmation by two administrators' })
  @ApiOkResponse(OBJECT)
  @ApiErrors({ status: 403, description: 'FORBIDDEN: administrators only' })
  pending() {
    return this.keys.pending();
  }

  @Post('ed25519')
  @Roles('approver')
  @ApiOperation({
    summary:
      'Register an Ed25519 public key (API clients), or rotate one (replaces); in effect once signed with a key you have or confirmed by two administrators',
  })
  @ApiCreatedResponse(OBJECT)
  @ApiErrors(
    400,
    { status: 403, description: 'FORBIDDEN: member-state approvers only' },
    { status: 409, description: 'CONFLICT: already registered' },
    413,
  )
  registerEd25519(@CurrentActor() actor: Actor, @Body() dto: RegisterEd25519KeyDto) {
    return this.keys.registerEd25519(actor, dto);
  }

  @Post('passkeys/options')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({
    summary: 'Start registering a passkey: the options for navigator.credentials.create (valid 5 minutes)',
  })
  @ApiOkResponse(OBJECT)
  @ApiErrors(400, { status: 403, description: 'FORBIDDEN: member-state approvers only' })
  passkeyOptions(@CurrentActor() actor: Actor, @Headers('origin') origin: string | undefined) {
    return this.keys.passkeyOptions(actor, origin);
  }

  @Post('passkeys')
  @Roles('approver')
  @ApiOperation({ summary: "Register a passkey with the browser's registration response" })
  @ApiCreatedResponse(OBJECT)
  @ApiErrors(
    400,
    { status: 403, description: 'FORBIDDEN: member-state approvers only' },
    { status: 409, description: 'CONFLICT: the registration expired, or the passkey is already registered' },
    413,
  )
  registerPasskey(
    @CurrentActor() actor: Actor,
    @Headers('origin') origin: string | undefined,
    @Body() dto: RegisterPasskeyDto,
  ) {
    if (!isRegistrationResponse(dto.response))
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        "response: send the browser's registration response (id, rawId, type, response.clientDataJSON, attestationObject).",
      );
    return this.keys.registerPasskey(actor, origin, { response: dto.response, label: dto.label });
  }

  @Post(':keyId/revoke')
  @HttpCode(200)
  @Roles('approver', 'admin')
  @ApiOperation({
    summary:
      'Revoke a key, with a reason: the approver (then sign the act with an active key) or an administrator (then a second administrator confirms)',
  })
  @ApiOkResponse(OBJECT)
  @ApiErrors(
    400,
    403,
    { status: 404, description: 'NOT_FOUND: no such key' },
    { status: 409, description: 'CONFLICT: already revoked' },
  )
  revoke(@CurrentActor() actor: Actor, @Param('keyId') keyId: string, @Body() dto: RevokeKeyDto) {
    return this.keys.revoke(actor, keyId, dto.reason);
  }

  @Post('acts/:actId/confirm')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Confirm an act on a key (four-eyes: the second administrator puts it in effect)' })
  @ApiOkResponse(OBJECT)
  @ApiErrors(
    { status: 403, description: 'FORBIDDEN: administrators only; not the one who asked or already confirmed' },
    { status: 404, description: 'NOT_FOUND: no such act' },
    { status: 409, description: 'CONFLICT: already in effect' },
  )
  confirm(@CurrentActor() actor: Actor, @Param('actId') actId: string) {
    return this.keys.confirm(actor, actId);
  }

  @Post('acts/:actId/endorse')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({
    summary: 'Sign an act on your keys (its statement) with a key you already have: the act takes effect',
  })
  @ApiOkResponse(OBJECT)
  @ApiErrors(
    400,
    { status: 403, description: 'FORBIDDEN: the signing key is pending or revoked' },
    { status: 404, description: 'NOT_FOUND: no such act of yours' },
    { status: 409, description: 'CONFLICT: already in effect' },
    413,
  )
  endorse(@CurrentActor() actor: Actor, @Param('actId') actId: string, @Body() dto: EndorseActDto) {
    return this.keys.endorse(actor, actId, { keyId: dto.keyId, signature: statementSignatureOf(dto) });
  }
}
