// Characters a terminal acts on rather than shows: C0 controls (ESC starts every escape
// sequence: colours, cursor moves, window titles, OSC 8 links, clipboard writes), DEL, C1
// controls (U+009B is a one-character CSI on some terminals), and the Unicode bidirectional
// controls and line separators that make text display in another order than it reads
// ("Trojan Source", CVE-2021-42574).
const controls = /(?![\t\n])[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}]/gu;
const controlsAndBreaks = /[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}]/gu;
// JSON.stringify escapes every C0 control inside strings; the line breaks left are its layout.
const unsafeInJson = /(?!\n)[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}]/gu;

/**
 * Text for a terminal: every control character shown as an escape (`\x1b`, `\u202e`) instead
 * of acting on the terminal. Data from the database or the wire goes through here before it is
 * printed, since any login may write a channel name, a payload or a job error. Line breaks and
 * tabs stay unless `oneLine`, which also escapes them (a table cell, a field).
 *
 * @example
 * ```ts
 * terminalText('orders.\u001b[2Jpaid'); // 'orders.\\x1b[2Jpaid'
 * terminalText('a\nb', { oneLine: true }); // 'a\\nb'
 * ```
 */
export function terminalText(text: string, options: { oneLine?: boolean } = {}): string {
  return text.replace(options.oneLine ? controlsAndBreaks : controls, escapeControl);
}

/**
 * JSON text for a terminal: `JSON.stringify` escapes C0 controls but leaves DEL, C1 and the
 * bidirectional controls raw; this writes them as `\uXXXX` too, which parses to the same value.
 *
 * @example
 * ```ts
 * terminalJson(JSON.stringify({ name: 'a\u009b2J' })); // '{"name":"a\\u009b2J"}'
 * ```
 */
export function terminalJson(json: string): string {
  return json.replace(unsafeInJson, unicodeEscape);
}

const named: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(character: string): string {
  const code = character.charCodeAt(0);
  return (
    named[character] ??
    (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : unicodeEscape(character))
  );
}

function unicodeEscape(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
