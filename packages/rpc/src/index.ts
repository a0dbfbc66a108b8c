export { RequestExpiredError } from './errors/request-expired-error.js';
export type { ReplyError } from './reply-error.js';
export { RpcClient } from './rpc-client.js';
export type {
  CallOptions,
  RespondOptions,
  RpcClientEvents,
  RpcClientOptions,
  RpcContext,
  RpcHandler,
  RpcServerEvents,
  RpcServerOptions,
} from './rpc-options.js';
export { type RpcRequest, rpcRequestSchema } from './rpc-request.js';
export { RpcServer } from './rpc-server.js';
