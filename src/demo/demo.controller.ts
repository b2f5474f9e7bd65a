import { ApiExcludeController } from '@nestjs/swagger';
import { Controller, Get, Header, Inject, Res, UseGuards } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { Response } from 'express';
import { OFFLINE_DEMO_PATH } from '../config/browser.config';
import { sessionConfig } from '../config/session.config';
import { spotifyConfig } from '../config/spotify.config';
import { DEMO_SCRIPT } from './demo-script';
import { DEMO_SCRIPT_FILE, DEMO_STYLE, DEMO_STYLE_FILE, demoPageContentSecurityPolicy, demoPageHtml } from './demo-page';
import { OfflineDemoGuard } from './offline-demo.guard';

/**
 * The offline demo: a landing page for `/callback` that shows the tokens, the user, and a Refresh
 * button (tokens mode) or a Log out button (session mode, tokens from `/token`).
 */
@ApiExcludeController()
@Controller(OFFLINE_DEMO_PATH)
@UseGuards(OfflineDemoGuard)
export class DemoController {
  private readonly html: string;
  private readonly contentSecurityPolicy: string;

  constructor(
    @Inject(spotifyConfig.KEY) spotify: ConfigType<typeof spotifyConfig>,
    @Inject(sessionConfig.KEY) session: ConfigType<typeof sessionConfig>,
  ) {
    // The emulator serves the Web API's /v1/me next to the Accounts endpoints.
    this.html = demoPageHtml(spotify.accountsUrl, session.mode);
    this.contentSecurityPolicy = demoPageContentSecurityPolicy(spotify.accountsUrl);
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(@Res({ passthrough: true }) response: Response): string {
    response.set('Content-Security-Policy', this.contentSecurityPolicy);
    return this.html;
  }

  @Get(DEMO_SCRIPT_FILE)
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return DEMO_SCRIPT;
  }

  @Get(DEMO_STYLE_FILE)
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  style(): string {
    return DEMO_STYLE;
  }
}
