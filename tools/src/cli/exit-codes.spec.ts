import { CommanderError, InvalidArgumentError } from 'commander';
import { EVIDENCE_ERROR_CODES, EvidenceError } from '@auditstack/evidence';
import { EvidenceStoreError } from '@auditstack/evidence-store';
import { argvRequestsJson } from './cli-output.util';
import { checkFailed, classifyError, CliError, couldNotCheck, EXIT_CODES, EXIT_REASONS, exitCodeForEvidenceError, usageError } from './exit-codes';
import { naturalNumber, portNumber, positiveNumber } from './option-parsers.util';

/** A system error as Node raises it (net, fs). */
function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('CLI exit codes', () => {
  it('are 0 ok, 1 check failed, 2 usage error, 3 could not check, each with its own reason name', () => {
    expect(EXIT_CODES).toEqual({ ok: 0, checkFailed: 1, usage: 2, couldNotCheck: 3 });
    expect(Object.keys(EXIT_REASONS).map(Number).sort()).toEqual([0, 1, 2, 3]);
    expect(new Set(Object.values(EXIT_REASONS)).size).toBe(4);
  });

  it('commander usage errors (unknown option, unknown command, bad value, missing argument) exit 2; --help exits 0', () => {
    for (const code of ['commander.unknownOption', 'commander.unknownCommand', 'commander.invalidArgument', 'commander.missingArgument', 'commander.help']) {
      expect(classifyError(new CommanderError(1, code, `error: ${code}`))).toMatchObject({ exitCode: 2, code, printed: true });
    }
    expect(classifyError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).exitCode).toBe(0);
  });

  it('a CliError keeps its code and message, and names the system code of its cause', () => {
    expect(classifyError(usageError('no action "x"'))).toEqual({ exitCode: 2, code: null, message: 'no action "x"', printed: false });
    expect(classifyError(checkFailed('drift'))).toMatchObject({ exitCode: 1 });
    expect(classifyError(couldNotCheck('the engine is out of reach', systemError('ECONNREFUSED', 'connect ECONNREFUSED')))).toMatchObject({
      exitCode: 3,
      code: 'ECONNREFUSED',
    });
    expect(new CliError(3, 'x')).toBeInstanceOf(Error);
  });

  it('fault: database unreachable (pg raises an AggregateError of ECONNREFUSED for ::1 and 127.0.0.1) is exit 3, never 1', () => {
    const refused = new AggregateError(
      [systemError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432'), systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
      '',
    );
    expect(classifyError(refused)).toMatchObject({
      exitCode: 3,
      code: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432',
    });
  });

  it('fault: engine unreachable (fetch failed, the cause holds the code) is exit 3 with the cause in the message', () => {
    const failed = new TypeError('fetch failed', { cause: systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8200') });
    expect(classifyError(failed)).toMatchObject({ exitCode: 3, code: 'ECONNREFUSED', message: 'fetch failed: connect ECONNREFUSED 127.0.0.1:8200' });
  });

  it('fault: a file that cannot be read and a password refused by PostgreSQL (SQLSTATE 28P01) are exit 3', () => {
    expect(classifyError(systemError('ENOENT', "ENOENT: no such file or directory, open 'trust.txt'"))).toMatchObject({ exitCode: 3, code: 'ENOENT' });
    expect(classifyError(systemError('28P01', 'password authentication failed for user "x"'))).toMatchObject({ exitCode: 3, code: '28P01' });
  });

  it('an unexpected crash is exit 3 ("no answer"), not 1 ("check failed")', () => {
    expect(classifyError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatchObject({ exitCode: 3, code: null });
    expect(classifyError('a thrown string')).toMatchObject({ exitCode: 3, message: 'a thrown string' });
  });

  it('every evidence error code has an exit code: integrity findings 1, missing key, trust root or TSA 3', () => {
    for (const code of EVIDENCE_ERROR_CODES) expect([1, 3]).toContain(exitCodeForEvidenceError(code));
    expect(classifyError(new EvidenceError('PAYLOAD_MISMATCH', 'row edited'))).toMatchObject({ exitCode: 1, code: 'PAYLOAD_MISMATCH' });
    expect(classifyError(new EvidenceError('KEY_NOT_TRUSTED', 'not the pinned key'))).toMatchObject({ exitCode: 1 });
    expect(classifyError(new EvidenceError('KEY_FILE_INVALID', 'EROFS'))).toMatchObject({ exitCode: 3 });
    expect(classifyError(new EvidenceError('TSA_ERROR', 'TSA down'))).toMatchObject({ exitCode: 3 });
  });

  it('a seq or tree size that names nothing is a usage error; a leaf no checkpoint covers yet is exit 3', () => {
    expect(classifyError(new EvidenceStoreError('NOT_FOUND', 'no ledger entry with seq 9'))).toMatchObject({ exitCode: 2, code: 'NOT_FOUND' });
    expect(classifyError(new EvidenceStoreError('INVALID_ARGUMENT', 'from > to'))).toMatchObject({ exitCode: 2 });
    expect(classifyError(new EvidenceStoreError('NOT_COVERED', 'not covered yet'))).toMatchObject({ exitCode: 3 });
  });
});

describe('--json detection before a command runs', () => {
  it('finds --json among the options, not after --', () => {
    expect(argvRequestsJson(['verify', '--json'])).toBe(true);
    expect(argvRequestsJson(['--json', 'verify'])).toBe(true);
    expect(argvRequestsJson(['verify'])).toBe(false);
    expect(argvRequestsJson(['bench', '--', '--json'])).toBe(false);
    expect(argvRequestsJson(['verify', '--jsonish'])).toBe(false);
  });
});

describe('option value parsers', () => {
  it('accept what they promise', () => {
    expect(naturalNumber('0')).toBe(0);
    expect(naturalNumber('4321')).toBe(4321);
    expect(portNumber('65535')).toBe(65535);
    expect(positiveNumber('0.5')).toBe(0.5);
  });

  it('refuse hostile values with InvalidArgumentError (a usage error naming the option)', () => {
    for (const bad of ['', '-1', '1.5', '01', '1e3', ' 7', '0x10', '9007199254740993', 'NaN']) expect(() => naturalNumber(bad)).toThrow(InvalidArgumentError);
    for (const bad of ['65536', '-1', 'http', '']) expect(() => portNumber(bad)).toThrow(InvalidArgumentError);
    for (const bad of ['0', '-2', 'Infinity', 'abc', ' ']) expect(() => positiveNumber(bad)).toThrow(InvalidArgumentError);
  });
});
