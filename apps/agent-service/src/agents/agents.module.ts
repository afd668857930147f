import { Module } from '@nestjs/common';
import { AgentTools } from './agent-tools';
import { AgentsController } from './agents.controller';
import { agentMetricProviders } from './agents.metrics';
import { AgentsService } from './agents.service';

@Module({
  controllers: [AgentsController],
  providers: [AgentTools, AgentsService, ...agentMetricProviders],
})
export class AgentsModule {}
