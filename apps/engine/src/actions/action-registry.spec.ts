import { Injectable, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { outcomeFromChecks, statusFromChecks, type ActionHandler, type RunOutcome } from './action-handler.util';
import { ActionRegistry, ActionRegistryError, DECLARED_ACTION_TYPES } from './action-registry.service';
import { ActionType } from './action-type.decorator';

@ActionType({ type: 'echo', config: z.object({ word: z.string() }).strict() })
@Injectable()
class EchoAction implements ActionHandler<{ word: string }> {
  async run(): Promise<RunOutcome> {
    return outcomeFromChecks([]);
  }
}

@ActionType({ type: 'echo', config: z.object({}) })
@Injectable()
class OtherEchoAction implements ActionHandler {
  async run(): Promise<RunOutcome> {
    return outcomeFromChecks([]);
  }
}

@ActionType({ type: 'Bad-Id', config: z.object({}) })
@Injectable()
class BadIdAction implements ActionHandler {
  async run(): Promise<RunOutcome> {
    return outcomeFromChecks([]);
  }
}

async function boot(...handlers: Provider[]): Promise<ActionRegistry> {
  return bootDeclaring([], ...handlers);
}

async function bootDeclaring(declared: readonly string[], ...handlers: Provider[]): Promise<ActionRegistry> {
  @Module({ imports: [DiscoveryModule], providers: [ActionRegistry, { provide: DECLARED_ACTION_TYPES, useValue: declared }, ...handlers] })
  class TestModule {}
  const app = await NestFactory.createApplicationContext(TestModule, { logger: false, abortOnError: false });
  const registry = app.get(ActionRegistry);
  await app.close();
  return registry;
}

@Module({ imports: [DiscoveryModule], providers: [ActionRegistry, EchoAction] })
class DefaultModule {}

describe('ActionRegistry', () => {
  it('collects @ActionType providers at boot, with the JSON Schema of their config', async () => {
    const registry = await boot(EchoAction);
    expect(registry.list().map((t) => t.type)).toEqual(['echo']);
    const type = registry.get('echo')!;
    expect(type.handler).toBeInstanceOf(EchoAction);
    expect(registry.configJsonSchema(type)).toMatchObject({ type: 'object', properties: { word: { type: 'string' } }, required: ['word'] });
  });

  it('refuses to start on a duplicate type id', async () => {
    await expect(boot(EchoAction, OtherEchoAction)).rejects.toThrow(ActionRegistryError);
    await expect(boot(EchoAction, OtherEchoAction)).rejects.toThrow(/duplicate action type "echo"/);
  });

  it('refuses an id that is not lowercase snake_case', async () => {
    await expect(boot(BadIdAction)).rejects.toThrow(/must be lowercase snake_case/);
  });

  it('refuses to start when a declared action type has no handler (a stored action of it would fail only at its first run)', async () => {
    await expect(bootDeclaring(['echo', 'tls_cert'], EchoAction)).rejects.toThrow(ActionRegistryError);
    await expect(bootDeclaring(['echo', 'tls_cert'], EchoAction)).rejects.toThrow(/declared action type\(s\) without a handler: "tls_cert"/);
    await expect(bootDeclaring(['echo'], EchoAction)).resolves.toBeInstanceOf(ActionRegistry);
  });

  it('declares every ACTION_TYPES id by default: an engine without their handlers does not boot', async () => {
    await expect(NestFactory.createApplicationContext(DefaultModule, { logger: false, abortOnError: false })).rejects.toThrow(
      /declared action type\(s\) without a handler: "http"/,
    );
  });
});

describe('statusFromChecks', () => {
  const check = (status: 'pass' | 'warn' | 'fail' | 'error') => ({
    check_id: `c.${status}`,
    target: 't',
    status,
    message: '',
    rule: { id: 'r', description: 'd' },
    evidence: {},
  });
  it('any fail or error → fail; all pass or warn → pass', () => {
    expect(statusFromChecks([check('pass'), check('warn')])).toBe('pass');
    expect(statusFromChecks([check('pass'), check('fail')])).toBe('fail');
    expect(statusFromChecks([check('warn'), check('error')])).toBe('fail');
    expect(outcomeFromChecks([check('pass'), check('fail')]).message).toBe('1/2 checks pass (fail: c.fail)');
  });
});
