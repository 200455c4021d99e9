import { Controller, Delete, NotFoundException, Param, UseGuards } from '@nestjs/common';
import { SessionManager } from '../srt/session/session-manager.js';
import { AdminTokenGuard } from './admin-token.guard.js';

/** Endpoints that act on sessions; every one needs ADMIN_TOKEN. */
@Controller('api/v1/sessions')
@UseGuards(AdminTokenGuard)
export class SessionControlController {
  constructor(private readonly sessions: SessionManager) {}

  /** Ends the session: SHUTDOWN to the caller and the origin (or 2403 to a caller still in its handshake). */
  @Delete(':id')
  end(@Param('id') id: string) {
    if (!this.sessions.end(id)) throw new NotFoundException(`no live session ${JSON.stringify(id.slice(0, 64))}`);
    return { id, ended: true };
  }
}
