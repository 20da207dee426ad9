import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { AuthService } from '../auth/auth.service';
import type { AnswerSignatureDto } from '../auth/signing-keys.dto';
import { statementSignatureOf } from '../auth/signing-keys.dto';
import { SigningKeysService } from '../auth/signing-keys.service';
import { DomainException, ErrorCode } from '../common/domain.exception';
import {
  buildCommentStatement,
  canonicalStatement,
  statementChallenge,
  statementHash,
  verifySignedStatement,
  type CommentStatement,
  type StoredSignature,
} from '../evidence/signed-statement';
import { CLOCK, type Clock } from '../infra/clock';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { draftVersionSha256 } from './draft-content-hash';

/**
 * A member state's comment on a draft version is signed the same way as its answers: the service
 * builds the statement (the version's content hash, the article, the text, who, for which state),
 * the approver signs it, and the signature is checked before the comment is written and stored
 * with it. ANSWER_SIGNING=required refuses an approver's unsigned comment.
 */
@Injectable()
export class SignedCommentsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly auth: AuthService,
    private readonly keys: SigningKeysService,
  ) {}

  private async build(
    instanceId: string,
    version: number,
    cmd: { articleId?: string | null; text: string },
    actor: Actor,
    at: Date,
  ): Promise<CommentStatement> {
    const me = await this.auth.resolveActing(actor, this.clock.now());
    if (!me.memberState)
      throw new DomainException(ErrorCode.FORBIDDEN, 'Only member-state approvers sign comments for their state.');
    const sha256 = await draftVersionSha256(this.ds, instanceId, version);
    if (!sha256) throw new DomainException(ErrorCode.NOT_FOUND, `The draft has no version ${version}.`);
    return buildCommentStatement({
      procedure: instanceId,
      draft: { version, sha256 },
      article: cmd.articleId ?? null,
      memberState: me.memberState,
      signer: me.id,
      actingFor: me.actingFor,
      text: cmd.text,
      at,
    });
  }

  /** The statement of a comment about to be made, for the approver to sign (nothing is written). */
  async statement(instanceId: string, version: number, cmd: { articleId?: string | null; text: string }, actor: Actor) {
    if (!cmd.text.trim()) throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'A comment needs some text.');
    const statement = await this.build(instanceId, version, cmd, actor, this.clock.now());
    return {
      statement,
      canonical: canonicalStatement(statement),
      statementHash: statementHash(statement),
      challenge: statementChallenge(statement),
      passkeys: await this.keys.activeCredentials(actor.id),
      signing: this.runtime.env.ANSWER_SIGNING,
    };
  }

  /**
   * The signature to store with a comment: null for the Secretariat's comments and for an
   * approver's unsigned comment where signing is optional; a refusal where it is required or the
   * signature does not verify for exactly this comment.
   */
  async signatureFor(
    instanceId: string,
    version: number,
    cmd: { articleId?: string | null; text: string },
    actor: Actor,
    signature: AnswerSignatureDto | undefined,
  ): Promise<StoredSignature | null> {
    if (actor.role !== 'approver') {
      if (signature)
        throw new DomainException(ErrorCode.INVALID_PAYLOAD, "signature: only member states' comments are signed.");
      return null;
    }
    if (!signature) {
      if (this.runtime.env.ANSWER_SIGNING === 'required')
        throw new DomainException(
          ErrorCode.FORBIDDEN,
          "Member states' comments must be signed: ask for the statement of your comment (POST .../comments/statement), sign it with your registered key or passkey, and send the comment with its signature. Nothing was recorded.",
          { signatureRequired: true },
        );
      return null;
    }
    const at = this.keys.checkSignedAt(signature.at);
    const key = await this.keys.activeKey(actor.id, signature.keyId);
    const statement = await this.build(instanceId, version, cmd, actor, at);
    const sig = statementSignatureOf(signature);
    const check = await verifySignedStatement({ statement, signature: sig, key });
    if (!check.valid)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `The signature does not match this comment (${check.reason ?? 'invalid'}): sign the statement the service gave for exactly this comment. Nothing was recorded.`,
      );
    return { statement, statementHash: statementHash(statement), signature: sig, key };
  }
}
