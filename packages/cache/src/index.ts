export { Cache, type CacheEvents, type CacheStats } from './cache.js';
export { assertKey, maxKeyBytes } from './cache-key.js';
export type { CacheOptions, GetOrSetOptions } from './cache-options.js';
export { listCacheNamespaces } from './list-cache-namespaces.js';
export { maxTtlSeconds } from './ttl-seconds.js';
