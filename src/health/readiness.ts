import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/**
 * Whether this process should get new traffic. False from the moment shutdown begins (a signal,
 * or the application closing), so that a load balancer polling /health/ready takes the process
 * out of rotation before it stops listening.
 */
@Injectable()
export class Readiness implements OnModuleDestroy {
  private shuttingDown = false;

  get ready(): boolean {
    return !this.shuttingDown;
  }

  beginShutdown(): void {
    this.shuttingDown = true;
  }

  onModuleDestroy(): void {
    this.shuttingDown = true;
  }
}
