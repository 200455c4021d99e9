import { Module } from '@nestjs/common';
import { RegisterController } from './register.controller.js';

/** POST /api/v1/srs/register; its ORIGIN_REGISTRAR is the origin registry, from the global BalancerModule. */
@Module({ controllers: [RegisterController] })
export class RegisterModule {}
