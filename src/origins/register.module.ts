import { Module } from '@nestjs/common';
import { OriginsModule } from './origins.module.js';
import { RegisterController } from './register.controller.js';

/** POST /api/v1/srs/register; the registrar behind it comes from OriginsModule (ORIGIN_REGISTRAR). */
@Module({ imports: [OriginsModule], controllers: [RegisterController] })
export class RegisterModule {}
