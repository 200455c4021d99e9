import { Controller, Delete, Inject, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { SRT_SIDE, type SrtSide } from '../srt/srt-side.js';
import { AdminTokenGuard } from './admin-token.guard.js';

/** Endpoints that act on sessions; every one needs ADMIN_TOKEN. */
@Controller('api/v1/sessions')
@UseGuards(AdminTokenGuard)
export class SessionControlController {
  constructor(@Inject(SRT_SIDE) private readonly srt: SrtSide) {}

  /** Ends the session: SHUTDOWN to the caller and the origin (or 2403 to a caller still in its handshake). */
  @Delete(':id')
  async end(@Param('id') id: string) {
    if (!(await this.srt.endSession(id))) throw new NotFoundException(`no live session ${JSON.stringify(id.slice(0, 64))}`);
    return { id, ended: true };
  }
}
