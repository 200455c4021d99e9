import { Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { ADMISSION_CLIENT, type AdmissionClient } from './admission-client.js';
import { AdmissionGate } from './admission-gate.js';
import { HttpAdmissionClient } from './http-admission-client.js';

@Module({
  providers: [
    {
      provide: ADMISSION_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): AdmissionClient | null => {
        const { url, timeoutMs, maxConnections } = config.admission;
        return url === undefined ? null : new HttpAdmissionClient({ url, timeoutMs, maxConnections });
      },
    },
    {
      provide: AdmissionGate,
      inject: [APP_CONFIG, ADMISSION_CLIENT],
      useFactory: (config: AppConfig, client: AdmissionClient | null) => new AdmissionGate(config, client),
    },
  ],
  exports: [AdmissionGate],
})
export class AdmissionModule {}
