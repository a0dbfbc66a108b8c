import { describe, expect, it } from 'vitest';
import { ClosedError } from '../errors/closed-error.js';
import type { Logger } from '../logger.js';
import { Service } from './service.js';

interface Events {
  ran: [count: number];
  error: [error: Error];
}

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  const ignore = () => {};
  return {
    errors,
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (message, meta) => errors.push(`${message}: ${String(meta?.error)}`),
  };
}

class Probe extends Service<Events, { reason?: string }> {
  readonly calls: string[] = [];
  failStart = false;
  releaseStart: (() => void) | undefined;

  constructor(logger: Logger) {
    super({
      logger,
      errorMessage: 'probe error',
      stoppedError: () => new ClosedError('probe'),
    });
  }

  protected async onStart(): Promise<void> {
    this.calls.push('start');
    if (this.releaseStart) await new Promise<void>((resolve) => (this.releaseStart = resolve));
    if (this.failStart) throw new Error('cannot start');
  }

  protected override async onStartFailed(): Promise<void> {
    this.calls.push('start failed');
  }

  protected async onStop(options: { reason?: string }): Promise<void> {
    this.calls.push(`stop ${options.reason ?? ''}`.trim());
  }

  fail(error: unknown): void {
    this.report(error);
  }

  ran(count: number): void {
    this.emitSafely('ran', count);
  }
}

describe('Service', () => {
  it('goes idle → starting → running → stopping → stopped, once each', async () => {
    const probe = new Probe(recordingLogger());
    expect(probe.state).toBe('idle');
    const starting = probe.start();
    expect(probe.state).toBe('starting');
    expect(probe.start()).toBe(starting);
    await starting;
    expect(probe.state).toBe('running');
    const stopping = probe.stop({ reason: 'done' });
    expect(probe.state).toBe('stopping');
    expect(probe.stop()).toBe(stopping);
    await stopping;
    expect(probe.state).toBe('stopped');
    expect(probe.calls).toEqual(['start', 'stop done']);
    await expect(probe.start()).rejects.toBeInstanceOf(ClosedError);
  });

  it('a failed start undoes itself and leaves the service idle, to start again', async () => {
    const probe = new Probe(recordingLogger());
    probe.failStart = true;
    await expect(probe.start()).rejects.toThrow('cannot start');
    expect(probe.state).toBe('idle');
    probe.failStart = false;
    await probe.start();
    expect(probe.state).toBe('running');
    await probe.stop();
    expect(probe.calls).toEqual(['start', 'start failed', 'start', 'stop']);
  });

  it('a stop during start waits for it, then stops; a stop before start only marks it stopped', async () => {
    const probe = new Probe(recordingLogger());
    probe.releaseStart = () => {};
    const starting = probe.start();
    const stopping = probe.stop();
    probe.releaseStart();
    await Promise.all([starting, stopping]);
    expect(probe.calls).toEqual(['start', 'stop']);
    expect(probe.state).toBe('stopped');

    const never = new Probe(recordingLogger());
    await never.stop();
    expect(never.state).toBe('stopped');
    expect(never.calls).toEqual([]);
  });

  it('await using stops it', async () => {
    const probe = new Probe(recordingLogger());
    await probe.start();
    await probe[Symbol.asyncDispose]();
    expect(probe.state).toBe('stopped');
  });

  it('reports to `error` listeners, else to the logger; a throwing listener is logged', () => {
    const logger = recordingLogger();
    const probe = new Probe(logger);
    probe.fail(new Error('first'));
    expect(logger.errors).toEqual(['probe error: first']);

    const seen: string[] = [];
    probe.on('error', (error) => seen.push(error.message));
    probe.fail('second');
    expect(seen).toEqual(['second']);

    probe.removeAllListeners('error');
    probe.on('error', () => {
      throw new Error('listener broke');
    });
    probe.fail(new Error('third'));
    expect(logger.errors).toEqual([
      'probe error: first',
      'probe error listener threw: listener broke',
    ]);
  });

  it('emitSafely reports a listener that throws instead of throwing it', () => {
    const logger = recordingLogger();
    const probe = new Probe(logger);
    probe.on('ran', () => {
      throw new Error('handler broke');
    });
    expect(() => probe.ran(1)).not.toThrow();
    expect(logger.errors).toEqual(['probe error: handler broke']);
  });
});
