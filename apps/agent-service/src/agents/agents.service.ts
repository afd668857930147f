import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  AGENT_TYPES,
  type AgentResultDto,
  type AgentType,
  type AgentTypeDto,
  type ExecuteAgentDto,
} from '@obs/api-contracts';
import { FaultRegistry } from '@obs/service-kit';
import { InjectMetric, InjectPinoLogger, PinoLogger } from '@obs/telemetry';
import { isSpanContextValid, SpanKind, trace } from '@opentelemetry/api';
import type { Counter, Histogram } from 'prom-client';
import { type AgentDefinition, type AgentRequest, toAgentRequest } from './agent-definition';
import { AgentRun, recordFailure, ToolFailure } from './agent-run';
import { AgentTools, TOOL_NAMES } from './agent-tools';
import {
  AGENT_EXECUTION_DURATION_SECONDS,
  AGENT_EXECUTIONS_TOTAL,
  AGENT_TOOL_CALLS_TOTAL,
  type ExecutionLabel,
  type ToolCallLabel,
} from './agents.metrics';
import { catalogAgent } from './catalog.agent';
import { crmAgent } from './crm.agent';
import {
  ATTR_GEN_AI_AGENT_DESCRIPTION,
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_OPERATION_NAME_VALUE_PLAN,
  GEN_AI_PROVIDER_NAME_VALUE_RULES,
} from './gen-ai-semconv';
import { orderAssistantAgent } from './order-assistant.agent';

const AGENTS: Record<AgentType, AgentDefinition> = {
  crm: crmAgent,
  catalog: catalogAgent,
  'order-assistant': orderAssistantAgent,
};

const STATUSES: AgentResultDto['status'][] = ['success', 'error'];

const tracer = trace.getTracer('agent-service');

/** Runs agents: one `invoke_agent` span, one `plan` span and one `execute_tool` span per step. */
@Injectable()
export class AgentsService implements OnModuleInit {
  constructor(
    private readonly tools: AgentTools,
    private readonly faults: FaultRegistry,
    @InjectMetric(AGENT_EXECUTIONS_TOTAL) private readonly executions: Counter<ExecutionLabel>,
    @InjectMetric(AGENT_EXECUTION_DURATION_SECONDS)
    private readonly duration: Histogram<'agent_type'>,
    @InjectMetric(AGENT_TOOL_CALLS_TOTAL) private readonly toolCalls: Counter<ToolCallLabel>,
    @InjectPinoLogger(AgentsService.name) private readonly logger: PinoLogger,
  ) {}

  /** Every series exists from the start, so an error ratio reads 0 rather than nothing. */
  onModuleInit(): void {
    for (const status of STATUSES) {
      for (const agent_type of AGENT_TYPES) this.executions.inc({ agent_type, status }, 0);
      for (const tool of TOOL_NAMES) this.toolCalls.inc({ tool, status }, 0);
    }
  }

  list(): AgentTypeDto[] {
    return AGENT_TYPES.map((type) => ({
      type,
      description: AGENTS[type].description,
      tools: [...AGENTS[type].tools],
    }));
  }

  /**
   * A failed tool call ends the execution with status "error" and an
   * explanation, still a 200: the request was fine, a service it needed was not.
   */
  async execute(dto: ExecuteAgentDto, callerId: string): Promise<AgentResultDto> {
    const agent = AGENTS[dto.agentType];
    const request = toAgentRequest(dto, callerId);
    const { conversationId } = request.context;
    const attributes = {
      ...agentAttributes(agent, GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT),
      [ATTR_GEN_AI_PROVIDER_NAME]: GEN_AI_PROVIDER_NAME_VALUE_RULES,
      [ATTR_GEN_AI_AGENT_DESCRIPTION]: agent.description,
      ...(conversationId ? { [ATTR_GEN_AI_CONVERSATION_ID]: conversationId } : {}),
    };

    return tracer.startActiveSpan(
      `invoke_agent ${agent.type}`,
      { kind: SpanKind.INTERNAL, attributes },
      async (span) => {
        const stopTimer = this.duration.startTimer({ agent_type: agent.type });
        const spanContext = span.spanContext();
        const traceId = isSpanContextValid(spanContext) ? spanContext.traceId : '';
        const run = new AgentRun(agent, tracer, this.faults, this.toolCalls, callerId);
        let status: AgentResultDto['status'] = 'error';
        try {
          const output = await agent.act(plan(agent, request), run, this.tools);
          status = 'success';
          return { status, output, steps: run.steps, traceId };
        } catch (error) {
          recordFailure(span, error, error instanceof ToolFailure ? error.errorType : undefined);
          if (!(error instanceof ToolFailure)) throw error;
          this.logger.warn(
            { agent_type: agent.type, tool: error.tool, error_type: error.errorType },
            'agent step failed',
          );
          const output = `The ${agent.type} agent could not finish: the ${error.tool} step failed (${error.reason}).`;
          return { status, output, steps: run.steps, traceId };
        } finally {
          this.executions.inc({ agent_type: agent.type, status });
          stopTimer();
          span.end();
        }
      },
    );
  }
}

/** The planning phase gets its own span, a child of `invoke_agent`, as the conventions describe. */
function plan<Plan>(agent: AgentDefinition<Plan>, request: AgentRequest): Plan {
  const attributes = agentAttributes(agent, GEN_AI_OPERATION_NAME_VALUE_PLAN);
  return tracer.startActiveSpan(
    `plan ${agent.type}`,
    { kind: SpanKind.INTERNAL, attributes },
    (span) => {
      try {
        return agent.plan(request);
      } catch (error) {
        recordFailure(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

function agentAttributes(agent: AgentDefinition<unknown>, operation: string) {
  return {
    [ATTR_GEN_AI_OPERATION_NAME]: operation,
    [ATTR_GEN_AI_AGENT_ID]: `agent-service/${agent.type}`,
    [ATTR_GEN_AI_AGENT_NAME]: agent.type,
  };
}
