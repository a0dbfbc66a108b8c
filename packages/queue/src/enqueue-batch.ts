import {
  type Contract,
  type Executor,
  type Pgq,
  QueueNotFoundError,
  SqlState,
  type StandardSchemaV1,
  sqlStateOf,
  ValidationError,
  validate,
} from '@pgq/core';
import { toJsonText } from '@pgq/core/internal';
import { announceJobs } from './announcer.js';
import {
  type EnqueueOptions,
  type EnqueueResult,
  isJobSpec,
  toInsertInput,
} from './enqueue-options.js';
import { type JobInsertInput, jobsInsert } from './sql/jobs-insert.js';

/** A batch ready to insert: the rows to send and, per input item, which row answers it. */
interface PreparedBatch {
  inputs: JobInsertInput[];
  /** For item `i`: the row that inserts it, and whether it repeats an earlier item's key. */
  rowOf: Array<{ row: number; duplicate: boolean }>;
}

// An insert whose unique key's holder finished mid-statement runs again; this many times.
const maxInsertRounds = 5;

/**
 * Enqueues a batch: validates and serialises every item first (nothing is written when one
 * is bad), then inserts the whole batch in one statement. Results come in input order.
 */
export async function insertJobs(
  pgq: Pgq,
  queue: string,
  contract: Contract | undefined,
  items: readonly unknown[],
  options: EnqueueOptions,
): Promise<EnqueueResult[]> {
  const { tx, ...shared } = options;
  const batch = await prepareBatch(items, shared, contract, pgq.maxValueBytes);
  const results = await insertInputs(pgq, queue, batch.inputs, tx);
  return batch.rowOf.map(({ row, duplicate }) => {
    const result = results[row]!;
    return duplicate ? { id: result.id, deduplicated: true } : result;
  });
}

/**
 * Inserts validated rows in one statement (and again for rows whose unique key's holder
 * finished mid-statement). Results come in input order.
 */
export async function insertInputs(
  pgq: Pgq,
  queue: string,
  inputs: readonly JobInsertInput[],
  tx?: Executor,
): Promise<EnqueueResult[]> {
  const results: EnqueueResult[] = new Array(inputs.length);
  let missing = inputs.map((_, index) => index);
  let notified = true;
  try {
    for (let round = 0; missing.length > 0; round++) {
      if (round === maxInsertRounds) {
        throw new ValidationError('enqueue kept racing with its unique key holder; try again');
      }
      const outcome = await jobsInsert(
        pgq,
        queue,
        missing.map((index) => inputs[index]!),
        tx,
      ).catch((error) => {
        throw translateInsertError(queue, error);
      });
      if (!outcome.queueExists) throw new QueueNotFoundError(queue);
      notified &&= outcome.notified;
      missing = missing.filter((index, position) => {
        const job = outcome.jobs[position]!;
        if (job.id !== null) results[index] = { id: job.id, deduplicated: job.deduplicated };
        return job.id === null;
      });
    }
  } finally {
    // Also when a later round failed: the rounds before it are committed.
    if (!notified) announceJobs(pgq, queue);
  }
  return results;
}

/**
 * Validates and serialises one job: its payload against the contract (when there is one),
 * as JSON of at most `maxValueBytes` (else `PayloadTooLargeError`), and its options over the
 * contract's defaults.
 */
export async function prepareJob(
  payload: unknown,
  options: Omit<EnqueueOptions, 'tx'>,
  contract: Contract | undefined,
  maxValueBytes: number,
): Promise<JobInsertInput> {
  if (contract) await validate(contract.schema as StandardSchemaV1, payload);
  return toInsertInput(
    toJsonText(payload, 'payload', maxValueBytes),
    withContractDefaults(options, contract),
  );
}

function withContractDefaults(
  options: Omit<EnqueueOptions, 'tx'>,
  contract: Contract | undefined,
): Omit<EnqueueOptions, 'tx'> {
  return {
    priority: contract?.defaults?.priority,
    maxAttempts: contract?.defaults?.maxAttempts,
    ...definedOnly(options),
  };
}

/**
 * Validates and serialises a batch: every payload against the contract (when there is one)
 * and as JSON of at most `maxValueBytes`, every option. Items that share a `uniqueKey`
 * become one row (the first), as they would across separate enqueues.
 */
async function prepareBatch(
  items: readonly unknown[],
  shared: Omit<EnqueueOptions, 'tx'>,
  contract: Contract | undefined,
  maxValueBytes: number,
): Promise<PreparedBatch> {
  const inputs: JobInsertInput[] = [];
  const rowOf: PreparedBatch['rowOf'] = [];
  const rowByKey = new Map<string, number>();
  const batchOptions = definedOnly(shared);
  // A bare payload takes the batch's options as they are: checked once, not per item.
  let bare: JobInsertInput | undefined;
  for (const item of items) {
    let input: JobInsertInput;
    if (isJobSpec(item)) {
      const { payload, ...own } = item;
      input = await prepareJob(
        payload,
        { ...batchOptions, ...definedOnly(own) },
        contract,
        maxValueBytes,
      );
    } else {
      if (contract) await validate(contract.schema as StandardSchemaV1, item);
      const payload = toJsonText(item, 'payload', maxValueBytes);
      bare ??= toInsertInput(payload, withContractDefaults(batchOptions, contract));
      input = { ...bare, payload };
    }
    const earlier = input.uniqueKey === null ? undefined : rowByKey.get(input.uniqueKey);
    if (earlier !== undefined) {
      rowOf.push({ row: earlier, duplicate: true });
      continue;
    }
    if (input.uniqueKey !== null) rowByKey.set(input.uniqueKey, inputs.length);
    rowOf.push({ row: inputs.length, duplicate: false });
    inputs.push(input);
  }
  return { inputs, rowOf };
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

// The queue was deleted between the existence check and the insert: its partition is gone.
function translateInsertError(queue: string, error: unknown): unknown {
  if (
    sqlStateOf(error) === SqlState.checkViolation &&
    String((error as Error).message).includes('no partition')
  ) {
    return new QueueNotFoundError(queue, { cause: error });
  }
  return error;
}
