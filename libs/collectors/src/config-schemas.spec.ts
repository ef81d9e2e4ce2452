import { z } from 'zod';
import * as collectors from './index';

/** The dashboard renders action forms from these schemas; the engine validates configs with them. */
const SCHEMAS = {
  http: collectors.HttpConfigSchema,
  tls_cert: collectors.TlsCertConfigSchema,
  tcp_port: collectors.TcpPortConfigSchema,
  dns_mx: collectors.DnsMxConfigSchema,
  dns_spf: collectors.DnsSpfConfigSchema,
  dns_dmarc: collectors.DnsDmarcConfigSchema,
  dns_dkim: collectors.DnsDkimConfigSchema,
  mta_sts: collectors.MtaStsConfigSchema,
  tls_rpt: collectors.TlsRptConfigSchema,
  sql_assertion: collectors.SqlAssertionConfigSchema,
};

describe('collector config schemas', () => {
  it.each(Object.entries(SCHEMAS))('%s converts to a JSON Schema with its required fields', (_type, schema) => {
    const json = z.toJSONSchema(schema, { io: 'input' }) as { type: string; properties: Record<string, unknown>; additionalProperties?: boolean };
    expect(json.type).toBe('object');
    expect(Object.keys(json.properties).length).toBeGreaterThan(0);
    expect(json.additionalProperties).toBe(false);
  });

  it('rejects unknown keys, naming them', () => {
    const result = collectors.DnsMxConfigSchema.safeParse({ domain: 'example.com', extra: 1 });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('extra');
  });

  it('the preset config is valid', () => {
    expect(collectors.SqlAssertionConfigSchema.parse(collectors.INFRA_DOCS_CHECK_CONFIG)).toEqual(collectors.INFRA_DOCS_CHECK_CONFIG);
  });
});
