import { Global, Module, type DynamicModule } from '@nestjs/common';
import { BALANCER } from '../balancer/balancer.js';
import type { AppConfig } from '../config/app-config.js';
import { AppConfigModule } from '../config/config.module.js';
import { LoggingModule } from '../logging/logging.module.js';
import { ORIGIN_REPORTS } from '../origins/origin-reports.js';
import { LocalSrtSide } from '../srt/local-srt-side.js';
import { SrtModule } from '../srt/srt.module.js';
import { RemoteBalancer, RemoteOriginReports } from './remote-balancer.js';
import type { RpcChannel } from './rpc-channel.js';

/** How long a worker's session waits for the main thread's balancer (its own provider answers in well under this). */
const BALANCER_CALL_TIMEOUT_MS = 1000;

/** The main thread as an SRT worker's modules see it: the balancer and the origin registry, behind their interfaces. */
@Global()
@Module({})
class MainThreadModule {
  static forRoot(main: RpcChannel): DynamicModule {
    return {
      module: MainThreadModule,
      providers: [
        { provide: BALANCER, useValue: new RemoteBalancer(main, BALANCER_CALL_TIMEOUT_MS) },
        { provide: ORIGIN_REPORTS, useValue: new RemoteOriginReports(main) },
      ],
      exports: [BALANCER, ORIGIN_REPORTS],
    };
  }
}

/**
 * One SRT worker thread's application context: config, logging (each line carries `worker`), the SRT side
 * (listener, handshakes, sessions, per-source limits, admission, events), and the main thread behind one port.
 * No HTTP: the main thread serves the API, health and metrics for every worker.
 */
@Module({})
export class SrtWorkerModule {
  static forRoot(config: AppConfig, main: RpcChannel, worker: number): DynamicModule {
    return {
      module: SrtWorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(config, undefined, { worker }),
        MainThreadModule.forRoot(main),
        SrtModule,
      ],
      providers: [LocalSrtSide],
    };
  }
}
