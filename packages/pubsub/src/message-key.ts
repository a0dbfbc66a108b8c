import { createHmac, timingSafeEqual } from 'node:crypto';

// Bytes of HMAC-SHA256 kept: 128 bits, far beyond guessing over NOTIFY (RFC 2104 §5 allows
// truncating to half the hash).
const tagBytes = 16;

/**
 * The key that signs pub/sub messages (the schema's `pubsub_auth` row). A message's tag is
 * the first 16 bytes of HMAC-SHA256 over its text without the tag, in lower-case hex: what
 * the SQL function `pubsub_tag(text)` computes too, so SQL can publish. Only processes that
 * can read the key can make a tag, and any login can NOTIFY: the tag is what tells pgq's own
 * messages from forgeries (issue #26).
 *
 * @example
 * ```ts
 * const key = new MessageKey(await getPubSubKey(pgq));
 * const tag = key.tag('2', rest);
 * key.verify(tag, '2', rest); // true
 * ```
 */
export class MessageKey {
  /** Hex characters of a tag. */
  static readonly tagLength = tagBytes * 2;
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /** The tag of the text `head + rest` (two parts, so callers need not join them). */
  tag(head: string, rest: string): string {
    return this.#digest(head, rest).toString('hex', 0, tagBytes);
  }

  /** True when `tag` (hex) is the tag of `head + rest`; compared in constant time. */
  verify(tag: string, head: string, rest: string): boolean {
    const given = Buffer.from(tag, 'hex');
    return (
      given.length === tagBytes &&
      timingSafeEqual(given, this.#digest(head, rest).subarray(0, tagBytes))
    );
  }

  #digest(head: string, rest: string): Buffer {
    return createHmac('sha256', this.#key).update(head).update(rest).digest();
  }
}
