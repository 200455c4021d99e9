import { BadRequestException, Controller, HttpCode, Inject, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { SRT_SIDE, type SrtSide, type WorkerRestart } from '../srt/srt-side.js';
import { AdminTokenGuard } from './admin-token.guard.js';

/** Acts on the SRT worker threads (WORKERS > 1); needs ADMIN_TOKEN. */
@Controller('api/v1/workers')
@UseGuards(AdminTokenGuard)
export class WorkerControlController {
  constructor(@Inject(SRT_SIDE) private readonly srt: SrtSide) {}

  /**
   * Restarts worker `n` (0-based): its sessions end without SHUTDOWN (their callers time out and reconnect), the
   * other workers' sessions go on. `how=crash` takes the real crash path (an uncaught error in the worker).
   */
  @Post(':n/restart')
  @HttpCode(202)
  restart(@Param('n') n: string, @Query('how') how: string | undefined) {
    if (!/^\d{1,3}$/.test(n)) throw new BadRequestException('worker number expected (0-based)');
    const mode: WorkerRestart = how === undefined || how === 'terminate' ? 'terminate' : how === 'crash' ? 'crash' : invalid(how);
    const worker = Number(n);
    if (!this.srt.restartWorker(worker, mode)) {
      const { workers } = this.srt.workerStats();
      throw new NotFoundException(workers > 1 ? `no SRT worker ${worker} (workers 0-${workers - 1})` : 'no SRT worker threads (WORKERS=1)');
    }
    return { worker, restarting: true, how: mode };
  }
}

function invalid(how: string): never {
  throw new BadRequestException(`how=${JSON.stringify(how.slice(0, 32))}: expected terminate or crash`);
}
