import { Redis } from 'ioredis';
import type { BenchPayload } from '../payload.js';
import { benchQueueName, settings } from '../settings.js';
import type { CacheDriver, PubSubDriver, StoreContext, SystemAdapter } from './adapter.js';

class RedisPubSub implements PubSubDriver {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;

  constructor(redisUrl: string) {
    this.#publisher = new Redis(redisUrl);
    this.#subscriber = new Redis(redisUrl);
  }

  async subscribe(handler: (payload: BenchPayload) => void): Promise<void> {
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === benchQueueName) handler(JSON.parse(message) as BenchPayload);
    });
    await this.#subscriber.subscribe(benchQueueName);
  }

  async publish(payload: BenchPayload): Promise<void> {
    await this.#publisher.publish(benchQueueName, JSON.stringify(payload));
  }

  async close(): Promise<void> {
    this.#subscriber.disconnect();
    await this.#publisher.quit();
  }
}

class RedisCache implements CacheDriver {
  readonly #redis: Redis;

  constructor(redisUrl: string) {
    this.#redis = new Redis(redisUrl);
  }

  async set(key: string, value: BenchPayload): Promise<void> {
    await this.#redis.set(key, JSON.stringify(value), 'EX', settings.cacheTtlSeconds);
  }

  async get(key: string): Promise<BenchPayload | undefined> {
    const value = await this.#redis.get(key);
    return value === null ? undefined : (JSON.parse(value) as BenchPayload);
  }

  async close(): Promise<void> {
    await this.#redis.quit();
  }
}

function requireRedis(redisUrl: string | undefined): string {
  if (!redisUrl) throw new Error('Redis is not available');
  return redisUrl;
}

/** Redis through ioredis: PUBLISH/SUBSCRIBE for P1, SET EX/GET for C1. */
export const redisAdapter: SystemAdapter = {
  async openPubSub({ redisUrl }: StoreContext): Promise<PubSubDriver> {
    return new RedisPubSub(requireRedis(redisUrl));
  },

  async openCache({ redisUrl }: StoreContext): Promise<CacheDriver> {
    return new RedisCache(requireRedis(redisUrl));
  },
};
