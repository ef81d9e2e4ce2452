import { Command } from 'commander';
import { JSON_OPTION_HELP, jsonOption, printResult, reservesStdoutForJson } from './cli-output.util';

describe('CLI output', () => {
  it('a command declared with jsonOption() gets stdout reserved; a plain --json (printing its own JSON) does not', () => {
    const program = new Command('auditstack');
    const reserving = program.command('a').addOption(jsonOption());
    const plain = program.command('b').option('--json', JSON_OPTION_HELP);
    const none = program.command('c');
    expect(reserving.options.map((o) => o.long)).toEqual(['--json']);
    expect([reservesStdoutForJson(reserving), reservesStdoutForJson(plain), reservesStdoutForJson(none)]).toEqual([true, false, false]);
  });

  it('printResult writes the document as indented JSON with --json, the human text otherwise', () => {
    const written: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const log = jest.spyOn(console, 'log').mockImplementation((text: string) => void written.push(`${text}\n`));
    try {
      printResult(true, { ok: true, n: 1 }, () => 'human');
      printResult(false, { ok: true, n: 1 }, () => 'human');
      printResult(undefined, { ok: true }, () => undefined);
    } finally {
      stdout.mockRestore();
      log.mockRestore();
    }
    expect(written).toEqual(['{\n  "ok": true,\n  "n": 1\n}\n', 'human\n']);
  });
});
