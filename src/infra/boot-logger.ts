import { Logger } from '@nestjs/common';

/** The few logging calls the resolvers make before Nest is up. */
export interface BootLogger {
  log(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export function bootLogger(context = 'Bootstrap'): BootLogger {
  return new Logger(context);
}
