// OpenTelemetry GenAI agent semantic conventions (development status), copied
// rather than imported: @opentelemetry/semantic-conventions marks them
// experimental and deprecated there since they moved to the
// open-telemetry/semantic-conventions-genai repository, and its own guidance is
// to copy unstable names into the code that uses them.
// https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/gen-ai-agent-spans.md

export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_GEN_AI_AGENT_DESCRIPTION = 'gen_ai.agent.description';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_DESCRIPTION = 'gen_ai.tool.description';
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';

export const GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT = 'invoke_agent';
export const GEN_AI_OPERATION_NAME_VALUE_PLAN = 'plan';
export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = 'execute_tool';
export const GEN_AI_TOOL_TYPE_VALUE_FUNCTION = 'function';

/**
 * `gen_ai.provider.name` is required on agent spans. These agents plan with
 * rules, not a model, so no well-known provider applies; the conventions allow
 * a custom value, and this one says what is really answering.
 */
export const GEN_AI_PROVIDER_NAME_VALUE_RULES = 'rules';
