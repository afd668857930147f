export { ServiceKitModule } from './service-kit.module';
export { SERVICE_CONFIG } from './config/config.token';
export {
  ConfigError,
  type ConfigOf,
  loadConfig,
  type ServiceConfig,
  type ServiceDefinition,
  type Upstream,
} from './config/service-config';
export { configureService, runService } from './bootstrap/run-service';
export { toErrorBody, type ErrorBody } from './errors/http-error.filter';
export { FaultRegistry, markFaulted } from './faults/fault-registry';
export {
  UpstreamClient,
  UpstreamClients,
  upstreamFailure,
  type UpstreamRequest,
  type UpstreamResponse,
} from './upstream/upstream-client';
export { DATABASE, DatabaseModule } from './storage/database.module';
export type { Database } from './storage/database';
export { isUniqueViolation } from './storage/unique-violation';
export {
  CALLER_ID_HEADER,
  CallerId,
  onBehalfOf,
  RecordCallerInterceptor,
} from './auth/caller-id.decorator';
export { intParam, uuidParam } from './validation/param-pipes';
export { PeriodicTask } from './scheduling/periodic-task';
