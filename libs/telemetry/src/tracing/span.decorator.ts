import { trace } from '@opentelemetry/api';
import { Span as RecordedSpan } from 'nestjs-otel';

/**
 * nestjs-otel's `@Span()`: a span named `<Class>.<method>` (or the name given)
 * around the method, ended when its promise settles. Skipped when the span it
 * would be a child of is not recorded: in a trace that was not sampled (90% of
 * them in production) the child could only be unsampled too, and making it
 * cost more than many of the methods it wraps (bench/README.md). Outside any
 * span, at start-up for example, the sampler decides as usual.
 */
export function Span(...options: Parameters<typeof RecordedSpan>): MethodDecorator {
  const recordSpan = RecordedSpan(...options);
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const method = descriptor.value as (...args: unknown[]) => unknown;
    recordSpan(target, key, descriptor);
    const recorded = descriptor.value as (...args: unknown[]) => unknown;
    // A proxy, as nestjs-otel's own, keeps the method's name and arity.
    descriptor.value = new Proxy(method, {
      apply: (_method, self: unknown, args: unknown[]) =>
        trace.getActiveSpan()?.isRecording() === false
          ? method.apply(self, args)
          : recorded.apply(self, args),
    });
    // Metadata other decorators put on the method (Swagger, Nest) stays readable.
    for (const metadataKey of Reflect.getMetadataKeys(recorded)) {
      Reflect.defineMetadata(
        metadataKey,
        Reflect.getMetadata(metadataKey, recorded),
        descriptor.value,
      );
    }
  };
}
