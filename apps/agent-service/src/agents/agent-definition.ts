import { BadRequestException } from '@nestjs/common';
import type { AgentType, ExecuteAgentDto } from '@obs/api-contracts';
import { isUUID } from 'class-validator';
import type { AgentRun } from './agent-run';
import type { AgentTools, ToolName } from './agent-tools';

/** The context keys agents understand; other keys are accepted and ignored. */
export interface AgentContext {
  /** The order the order-assistant should report on. */
  orderId?: string;
  /** Ties executions of one conversation together (`gen_ai.conversation.id`). */
  conversationId?: string;
}

/** What an agent is asked to do, and for whom. */
export interface AgentRequest {
  input: string;
  context: AgentContext;
  /** The authenticated caller: agents only ever act for this user. */
  callerId: string;
}

/**
 * One agent type. `plan` reads the request with fixed rules, so the same input
 * is always understood the same way; `act` carries the plan out through tools.
 */
export interface AgentDefinition<Plan = unknown> {
  type: AgentType;
  description: string;
  /** The only tools `act` may call. */
  tools: readonly ToolName[];
  plan(request: AgentRequest): Plan;
  /** Takes the steps through `run` and returns the answer for the caller. */
  act(plan: Plan, run: AgentRun, tools: AgentTools): Promise<string>;
}

const CONVERSATION_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Checks the context keys agents use before anything runs: a malformed one is
 * the client's mistake (400), not a failed execution.
 */
export function toAgentRequest(dto: ExecuteAgentDto, callerId: string): AgentRequest {
  const context = dto.context ?? {};
  const problems: string[] = [];
  const orderId = checked(
    context.orderId,
    (value) => isUUID(value),
    'context.orderId must be a UUID',
    problems,
  );
  const conversationId = checked(
    context.conversationId,
    (value) => CONVERSATION_ID.test(value),
    'context.conversationId must be 1 to 128 visible ASCII characters',
    problems,
  );
  if (problems.length > 0) throw new BadRequestException(problems);
  return {
    input: dto.input,
    context: { orderId: orderId?.toLowerCase(), conversationId },
    callerId,
  };
}

/** The value when it is absent or a valid string; otherwise notes the problem. */
function checked(
  value: unknown,
  valid: (value: string) => boolean,
  problem: string,
  problems: string[],
): string | undefined {
  if (value === undefined || (typeof value === 'string' && valid(value))) return value;
  problems.push(problem);
  return undefined;
}
