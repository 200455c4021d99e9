import { Module } from '@nestjs/common';

/** The origin registry itself is provided by BalancerModule.forRoot (it shares the provider); this module holds the origin-facing HTTP side. */
@Module({})
export class OriginsModule {}
