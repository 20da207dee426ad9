import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, NotFoundException, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/public.decorator';

/** The project root (the folder of package.json "amendflow"), from src/web or dist/src/web. */
function projectRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'amendflow') return dir;
    } catch {
      // keep looking
    }
  }
  return process.cwd();
}

/** Where src/web/build-client.js writes the web application. */
export const WEB_DIST = path.join(projectRoot(), 'dist', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Serves the web application (static files built into dist/web) at /app/, and redirects / there.
 * Public: the files hold no data; every API call of the application carries the bearer token.
 */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  @Get()
  root(@Res() res: Response): void {
    res.redirect(302, '/app/');
  }

  /** /app redirects to /app/ (relative URLs of the page resolve there); /app/ is the page. */
  @Get('app')
  index(@Req() req: Request, @Res() res: Response): void {
    if (!req.path.endsWith('/')) return res.redirect(302, '/app/');
    this.send(res, 'index.html');
  }

  @Get('app/:file')
  file(@Param('file') file: string, @Res() res: Response): void {
    this.send(res, file);
  }

  private send(res: Response, file: string): void {
    // one flat folder: a name only, no path separators or dot-dot
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(file) || file.includes('..')) throw new NotFoundException();
    const full = path.join(WEB_DIST, file);
    const type = TYPES[path.extname(file)];
    if (!type || !existsSync(full)) {
      if (file === 'index.html') throw new NotFoundException('The web application is not built: run npm run build');
      throw new NotFoundException();
    }
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', file === 'index.html' ? 'no-cache' : 'public, max-age=300');
    res.sendFile(full);
  }
}
