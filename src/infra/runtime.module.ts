import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK } from './clock';
import { RUNTIME, type Runtime } from './runtime';

/** Makes the resolved Runtime (token RUNTIME) and its Clock (token CLOCK) injectable everywhere. */
@Global()
@Module({})
export class RuntimeModule {
  static forRoot(runtime: Runtime): DynamicModule {
    return {
      module: RuntimeModule,
      global: true,
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: CLOCK, useValue: runtime.clock },
      ],
      exports: [RUNTIME, CLOCK],
    };
  }
}
