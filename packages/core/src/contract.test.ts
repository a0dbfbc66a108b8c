import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { isContract, nameOf, validate } from './contract.js';
import { ValidationError } from './errors/validation-error.js';

// A hand-written Standard Schema, so core's tests need no validator library.
const positive: StandardSchemaV1<unknown, number> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value) =>
      typeof value === 'number' && value > 0
        ? { value }
        : { issues: [{ message: 'must be a positive number', path: [{ key: 'n' }] }] },
  },
};

describe('contracts', () => {
  it('tells a contract from a name', () => {
    const contract = { name: 'counts', schema: positive };
    expect(isContract(contract)).toBe(true);
    expect(isContract('counts')).toBe(false);
    expect(nameOf(contract)).toBe('counts');
    expect(nameOf('counts')).toBe('counts');
  });

  it('validates through the Standard Schema interface', async () => {
    await expect(validate(positive, 3)).resolves.toBe(3);
    const error = await validate(positive, -1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { path: ['n'], message: 'must be a positive number' },
    ]);
  });
});
