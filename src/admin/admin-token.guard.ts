import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.tokens.js';
import { BearerToken } from '../origins/bearer-token.js';

/**
 * Guards every endpoint that changes something: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
 * Without ADMIN_TOKEN those endpoints answer 403, not 404: the route exists and the message says what to configure,
 * so an operator is not sent hunting for a wrong URL, while nothing can be changed on a proxy nobody gave a token.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly token: BearerToken | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.token = config.adminToken === undefined ? undefined : new BearerToken(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.token === undefined) throw new ForbiddenException('mutating endpoints are disabled: ADMIN_TOKEN is not set');
    const http = context.switchToHttp();
    const request = http.getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers['authorization'];
    if (this.token.matches(typeof header === 'string' ? header : undefined)) return true;
    http.getResponse<{ setHeader(name: string, value: string): void }>().setHeader('WWW-Authenticate', 'Bearer realm="srt-proxy"');
    throw new UnauthorizedException('a valid "Authorization: Bearer <ADMIN_TOKEN>" header is required');
  }
}
