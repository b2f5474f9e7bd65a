import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiOAuthErrors, ApiRequestId } from '../openapi/api-responses';
import { ReadinessService } from './readiness.service';

const HEALTH_BODY = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', example: 'ok' },
    info: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', additionalProperties: true },
  },
};

@ApiTags('Operations')
@ApiRequestId()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessService,
  ) {}

  /** Liveness: the process answers HTTP. Restart it only when this fails. */
  @Get()
  @ApiOperation({ summary: 'Liveness' })
  @ApiOkResponse({ description: 'The process serves HTTP', schema: HEALTH_BODY })
  @HealthCheck({ swaggerDocumentation: false })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Readiness: 503 from the moment shutdown begins, so balancers drain this instance first. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness', description: 'Independent of Spotify; 503 from the moment shutdown begins.' })
  @ApiOkResponse({ description: 'Serving', schema: HEALTH_BODY })
  @ApiOAuthErrors([503, 'temporarily_unavailable', 'Shutting down: take this instance out of the pool'])
  @HealthCheck({ swaggerDocumentation: false })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => {
        const lifecycle = this.indicators.check('lifecycle');
        return this.readiness.isShuttingDown ? lifecycle.down({ state: 'shutting_down' }) : lifecycle.up({ state: 'serving' });
      },
    ]);
  }
}
