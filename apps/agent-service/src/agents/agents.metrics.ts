import { makeCounterProvider, makeHistogramProvider } from '@obs/telemetry';

export const AGENT_EXECUTIONS_TOTAL = 'agent_executions_total';
export const AGENT_EXECUTION_DURATION_SECONDS = 'agent_execution_duration_seconds';
export const AGENT_TOOL_CALLS_TOTAL = 'agent_tool_calls_total';

/** An execution calls a few services in turn: seconds, up to a slow-agent drill's tens of seconds. */
export const AGENT_DURATION_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32];

export type ExecutionLabel = 'agent_type' | 'status';
export type ToolCallLabel = 'tool' | 'status';

export const agentMetricProviders = [
  makeCounterProvider({
    name: AGENT_EXECUTIONS_TOTAL,
    help: 'Agent executions, by agent type and outcome (success, or error when a step failed).',
    labelNames: ['agent_type', 'status'],
  }),
  makeHistogramProvider({
    name: AGENT_EXECUTION_DURATION_SECONDS,
    help: 'Duration of agent executions in seconds, by agent type.',
    labelNames: ['agent_type'],
    buckets: AGENT_DURATION_BUCKETS_SECONDS,
  }),
  makeCounterProvider({
    name: AGENT_TOOL_CALLS_TOTAL,
    help: 'Tool calls made by agents, by tool and outcome (success or error).',
    labelNames: ['tool', 'status'],
  }),
];
