import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainException, ErrorCode } from './domain.exception';

export interface FieldProblem {
  field: string;
  problems: string[];
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      out.push({ field, problems: Object.values(error.constraints) });
    }
    if (error.children?.length) {
      out.push(...flatten(error.children, field));
    }
  }
  return out;
}

/** class-validator errors as a DomainException(INVALID_PAYLOAD) whose message names the fields. */
export function validationException(errors: ValidationError[]): DomainException {
  const fields = flatten(errors);
  const first = fields[0];
  const message = first
    ? `Invalid field "${first.field}": ${first.problems.join('; ')}` +
      (fields.length > 1 ? ` (and ${fields.length - 1} more invalid field${fields.length > 2 ? 's' : ''})` : '')
    : 'The request payload is invalid';
  return new DomainException(ErrorCode.INVALID_PAYLOAD, message, { fields });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: validationException,
  });
}
