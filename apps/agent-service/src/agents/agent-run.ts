import { HttpException } from '@nestjs/common';
import type { AgentStepDto } from '@obs/api-contracts';
import { type FaultRegistry, markFaulted, toErrorBody } from '@obs/service-kit';
import { type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ERROR_TYPE_VALUE_OTHER } from '@opentelemetry/semantic-conventions';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Counter } from 'prom-client';
import type { AgentDefinition } from './agent-definition';
import type { Tool, ToolName } from './agent-tools';
import type { ToolCallLabel } from './agents.metrics';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_TOOL_TYPE_VALUE_FUNCTION,
} from './gen-ai-semconv';

/** A tool call failed: its step is recorded and the agent stops there. */
export class ToolFailure extends Error {
  override readonly name = 'ToolFailure';

  constructor(
    readonly tool: ToolName,
    /** `error.type`: the upstream's HTTP status, or the exception's name. */
    readonly errorType: string,
    readonly reason: string,
  ) {
    super(`${tool} failed: ${reason}`);
  }
}

/**
 * One execution of one agent: the steps it takes, each tool call an
 * `execute_tool` span and a count in agent_tool_calls_total, and before each
 * step the slow-agent drill's delay when one is active.
 */
export class AgentRun {
  readonly steps: AgentStepDto[] = [];

  constructor(
    private readonly agent: AgentDefinition,
    private readonly tracer: Tracer,
    private readonly faults: FaultRegistry,
    private readonly toolCalls: Counter<ToolCallLabel>,
    /** The user the agent runs for: every tool call is made on their behalf. */
    private readonly callerId: string,
  ) {}

  async call<Args, Result>(tool: Tool<Args, Result>, args: Args, reason: string): Promise<Result> {
    if (!this.agent.tools.includes(tool.name)) {
      throw new Error(`the ${this.agent.type} agent may not call ${tool.name}`);
    }
    await this.delayIfFaulted();
    const attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
      [ATTR_GEN_AI_TOOL_NAME]: tool.name,
      [ATTR_GEN_AI_TOOL_DESCRIPTION]: tool.description,
      [ATTR_GEN_AI_TOOL_TYPE]: GEN_AI_TOOL_TYPE_VALUE_FUNCTION,
      [ATTR_GEN_AI_TOOL_CALL_ID]: `call_${randomUUID()}`,
    };
    return this.tracer.startActiveSpan(
      `execute_tool ${tool.name}`,
      { kind: SpanKind.INTERNAL, attributes },
      async (span) => {
        const startedAt = performance.now();
        try {
          const result = await tool.call(args, this.callerId);
          this.record(tool.name, reason, 'success', startedAt, tool.summarise(result));
          return result;
        } catch (error) {
          const failure = toToolFailure(tool.name, error);
          recordFailure(span, error, failure.errorType);
          this.record(tool.name, reason, 'error', startedAt, { error: failure.reason });
          throw failure;
        } finally {
          span.end();
        }
      },
    );
  }

  private record(
    tool: ToolName,
    reason: string,
    status: AgentStepDto['status'],
    startedAt: number,
    result: unknown,
  ) {
    this.toolCalls.inc({ tool, status });
    this.steps.push({
      tool,
      reason,
      status,
      durationMs: Math.round(performance.now() - startedAt),
      result,
    });
  }

  /** The slow-agent drill: every step of a matching agent waits first. */
  private async delayIfFaulted(): Promise<void> {
    const fault = this.faults.pick(
      'slow-agent',
      (f) => !f.agentType || f.agentType === this.agent.type,
    );
    if (!fault) return;
    markFaulted('slow-agent');
    await sleep(fault.delayMs ?? 0);
  }
}

/** Span status ERROR, the exception event and `error.type`, as the conventions ask. */
export function recordFailure(span: Span, error: unknown, errorType = errorTypeOf(error)): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  span.setAttribute(ATTR_ERROR_TYPE, errorType);
}

function toToolFailure(tool: ToolName, error: unknown): ToolFailure {
  const { message } = toErrorBody(error);
  return new ToolFailure(
    tool,
    errorTypeOf(error),
    Array.isArray(message) ? message.join('; ') : message,
  );
}

function errorTypeOf(error: unknown): string {
  if (error instanceof HttpException) return String(error.getStatus());
  return error instanceof Error ? error.name : ERROR_TYPE_VALUE_OTHER;
}
