import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsStorableText } from './limits';

export const AGENT_TYPES = ['crm', 'catalog', 'order-assistant'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export class AgentTypeDto {
  @ApiProperty({ enum: AGENT_TYPES })
  type: AgentType;

  @ApiProperty()
  description: string;

  @ApiProperty({ description: 'The tools the agent may call.' })
  tools: string[];
}

export class ExecuteAgentDto {
  @ApiProperty({ enum: AGENT_TYPES })
  @IsIn(AGENT_TYPES)
  agentType: AgentType;

  @ApiProperty({ minLength: 1, maxLength: 2_000, example: 'find a laptop under 1500' })
  @IsString()
  @MinLength(1)
  @MaxLength(2_000)
  @IsStorableText()
  input: string;

  @ApiPropertyOptional({
    description: 'Free-form context the agent may use, e.g. {"orderId": "…"}.',
  })
  @IsOptional()
  @IsObject()
  context?: Record<string, unknown>;
}

export class AgentStepDto {
  @ApiProperty({ description: 'The tool the step called.' })
  tool: string;

  @ApiProperty({ description: 'Why the agent took this step.' })
  reason: string;

  @ApiProperty({ enum: ['success', 'error'] })
  status: 'success' | 'error';

  @ApiProperty()
  durationMs: number;

  @ApiPropertyOptional({ description: 'What the tool returned, summarised.' })
  result?: unknown;
}

export class AgentResultDto {
  @ApiProperty({ enum: ['success', 'error'] })
  status: 'success' | 'error';

  @ApiProperty()
  output: string;

  @ApiProperty({ type: [AgentStepDto] })
  steps: AgentStepDto[];

  @ApiProperty({ description: 'The trace of this execution, to open in Jaeger.' })
  traceId: string;
}
