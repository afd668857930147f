import { Body, Controller, Get, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  AgentResultDto,
  AgentTypeDto,
  ApiErrors,
  ExecuteAgentDto,
  UPSTREAM_ERRORS,
} from '@obs/api-contracts';
import {
  CALLER_ID_HEADER,
  SERVICE_CONFIG,
  type UpstreamClient,
  UpstreamClients,
} from '@obs/service-kit';
import type { Response } from 'express';
import { Caller } from '../auth/caller.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { relay } from '../proxy/relay';
import type { GatewayConfig } from '../service';

@ApiTags('agents')
@Controller('api/agents')
export class AgentsController {
  private readonly agents: UpstreamClient;

  constructor(upstreams: UpstreamClients, @Inject(SERVICE_CONFIG) config: GatewayConfig) {
    this.agents = upstreams.for('agent-service', { timeoutMs: config.AGENT_TIMEOUT_MS });
  }

  @Get()
  @ApiOkResponse({ type: [AgentTypeDto] })
  @ApiErrors(...UPSTREAM_ERRORS)
  list(@Res({ passthrough: true }) response: Response) {
    return relay<AgentTypeDto[]>(this.agents, '/agents', response);
  }

  @Post('execute')
  @HttpCode(200)
  @ApiBearerAuth()
  @UseGuards(JwtAuthGuard)
  @ApiOkResponse({ type: AgentResultDto })
  @ApiErrors(
    [400, 'Unknown agent type, or an invalid input or context.'],
    401,
    413,
    ...UPSTREAM_ERRORS,
  )
  execute(
    @Caller() callerId: string,
    @Body() request: ExecuteAgentDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    return relay<AgentResultDto>(this.agents, '/agents/execute', response, {
      method: 'POST',
      body: request,
      headers: { [CALLER_ID_HEADER]: callerId },
    });
  }
}
