import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AgentResultDto, AgentTypeDto, ApiErrors, ExecuteAgentDto } from '@obs/api-contracts';
import { CALLER_ID_HEADER, CallerId } from '@obs/service-kit';
import { AgentsService } from './agents.service';

@ApiTags('agents')
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get()
  @ApiOkResponse({ type: [AgentTypeDto] })
  list(): AgentTypeDto[] {
    return this.agents.list();
  }

  /** Status "error" in a 200 means a service the agent needed failed; the steps say which. */
  @Post('execute')
  @HttpCode(200)
  @ApiHeader({
    name: CALLER_ID_HEADER,
    required: true,
    description: 'The caller, set by the gateway.',
  })
  @ApiOkResponse({ type: AgentResultDto })
  @ApiErrors(
    [400, 'Unknown agent type, or an invalid input or context.'],
    [401, `No ${CALLER_ID_HEADER} header.`],
    413,
  )
  execute(@CallerId() callerId: string, @Body() request: ExecuteAgentDto): Promise<AgentResultDto> {
    return this.agents.execute(request, callerId);
  }
}
