import { Injectable } from '@nestjs/common';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { ReferenceService } from '../reference/reference.service';

export interface CurrentMemberState {
  code: string;
  /** English short name, or the code when the reference data does not confirm one. */
  name: string;
}

/** The member states as the versioned reference data has them now: the only list users are checked against. */
@Injectable()
export class MemberStateDirectory {
  constructor(private readonly reference: ReferenceService) {}

  async current(at?: Date): Promise<CurrentMemberState[]> {
    return (await this.reference.memberStates(at)).map((s) => ({ code: s.code, name: s.name.en ?? s.code }));
  }

  async assertCurrent(code: string, at?: Date): Promise<void> {
    const codes = await this.reference.memberStateCodes(at);
    if (!codes.includes(code)) {
      throw new DomainException(
        ErrorCode.UNPROCESSABLE,
        `${code} is not a current SCO member state (current: ${codes.join(', ')})`,
        { memberState: code, current: codes },
      );
    }
  }
}
