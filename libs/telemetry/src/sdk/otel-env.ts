// Readers for the standard OTEL_* variables the SDK parts take as options.

/** `http/protobuf` (the default) or `http/json`; the signal's own variable first. */
export function otlpProtocol(env: NodeJS.ProcessEnv, signalVariable: string): string {
  const protocol = (env[signalVariable] ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim();
  if (protocol === '' || protocol === 'http/protobuf' || protocol === 'http/json')
    return protocol || 'http/protobuf';
  throw new Error(
    `${signalVariable in env ? signalVariable : 'OTEL_EXPORTER_OTLP_PROTOCOL'}: unsupported protocol "${protocol}" (use http/protobuf or http/json)`,
  );
}

/** A non-negative number, or undefined (the SDK's default) when unset or blank. */
export function numberFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name}: expected a non-negative number, got "${env[name]}"`);
  return value;
}
