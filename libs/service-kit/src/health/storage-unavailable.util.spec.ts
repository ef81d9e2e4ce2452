import { isStorageUnavailable } from './storage-unavailable.util';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('isStorageUnavailable', () => {
  it.each([
    ['PostgreSQL refused the connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:5432')],
    ['the connection dropped mid-query', new Error('Connection terminated unexpectedly')],
    ['the server is shutting down (57P01)', withCode('57P01')],
    ['the disk is full (53100)', withCode('53100')],
    ['too many connections (53300)', withCode('53300')],
    ['an I/O error in PostgreSQL (58030)', withCode('58030')],
    ['a full disk under the spool (ENOSPC)', withCode('ENOSPC')],
    ['a read-only filesystem (EROFS)', withCode('EROFS')],
    ['TypeORM wrapping a driver error', Object.assign(new Error('query failed'), { driverError: withCode('08006') })],
    ['a cause chain', new Error('outer', { cause: withCode('ETIMEDOUT') })],
    ['every address refused (AggregateError)', Object.assign(new AggregateError([withCode('ECONNREFUSED')], ''), {})],
    ['Redis gone', new Error('Connection is closed.')],
  ])('%s → unavailable', (_name, error) => {
    expect(isStorageUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', withCode('23505')],
    ['a syntax error (42601)', withCode('42601')],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('%s → not unavailable (stays a 4xx/5xx of its own)', (_name, error) => {
    expect(isStorageUnavailable(error)).toBe(false);
  });
});
