import { createHash } from 'node:crypto';
import type { ContractOutput, MethodResponseInput } from '@pgq/core';
import type { makeThumbnail } from './contracts.js';

/** What `POST /thumbnails` asks the worker for. */
export type ThumbnailRequest = ContractOutput<typeof makeThumbnail>;
/** What the worker answers. */
export type Thumbnail = MethodResponseInput<typeof makeThumbnail>;

// Thumbnails keep a 4:3 frame: the height follows from the width.
const aspectRatio = 3 / 4;

/**
 * The worker's side of `makeThumbnail`: real, deterministic work (no image is fetched, so
 * the sample runs offline): the same request always gives the same answer, on any worker.
 *
 * @example
 * ```ts
 * describeThumbnail({ url: 'https://example.com/cat.png', width: 200 });
 * // { url, width: 200, height: 150, sha256: '…', description: '200×150 JPEG of cat.png, …' }
 * ```
 */
export function describeThumbnail(request: ThumbnailRequest): Thumbnail {
  const { url, width } = request;
  const height = Math.round(width * aspectRatio);
  const sha256 = createHash('sha256').update(`${url}\n${width}`).digest('hex');
  const file = new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? new URL(url).hostname;
  return {
    url,
    width,
    height,
    sha256,
    description: `${width}×${height} JPEG of ${file}, cache key ${sha256.slice(0, 12)}`,
  };
}
