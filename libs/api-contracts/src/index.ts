// The request and response shapes of the public API, shared by the gateway
// (which validates and documents them) and the services (which validate again).
export * from './agents.dto';
export * from './errors.dto';
export * from './limits';
export * from './orders.dto';
export * from './products.dto';
export * from './topology';
export * from './users.dto';
