import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatIssues } from '../schemas/common.schema';

const Weight = z.number().finite().min(0);

/**
 * The finops cost model (`COST_MODEL_FILE`, JSON): `{"currency": "USD",
 * "cost_weights": {"per_call": …, "per_second": …, "per_kb_in": …,
 * "per_kb_out": …, "per_engine_hour": …}}`. Missing weights take the
 * defaults below; a KB is 1024 bytes.
 */
export const CostModelSchema = z.strictObject({
  currency: z.string().min(1).max(8).default('USD'),
  cost_weights: z
    .strictObject({
      per_call: Weight.default(0.0001),
      per_second: Weight.default(0.00002),
      per_kb_in: Weight.default(0.000001),
      per_kb_out: Weight.default(0.000002),
      per_engine_hour: Weight.default(0.05),
    })
    .prefault({}),
});

export type CostModel = z.output<typeof CostModelSchema>;

/** Built-in weights, used when `COST_MODEL_FILE` is unset. */
export const DEFAULT_COST_MODEL: CostModel = CostModelSchema.parse({});

export function loadCostModel(file: string | undefined): CostModel {
  if (!file) return DEFAULT_COST_MODEL;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`COST_MODEL_FILE ${file}: cannot read JSON (${(error as Error).message})`);
  }
  const parsed = CostModelSchema.safeParse(json);
  if (!parsed.success) throw new Error(`COST_MODEL_FILE ${file}: ${formatIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

/** Usage sums of a group of tool calls. */
export interface Usage {
  calls: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
}

/** Cost of a usage under the model, rounded to 6 decimals. */
export function toolCost(model: CostModel, u: Usage): number {
  const w = model.cost_weights;
  const cost = w.per_call * u.calls + (w.per_second * u.durationMs) / 1000 + (w.per_kb_in * u.bytesIn) / 1024 + (w.per_kb_out * u.bytesOut) / 1024;
  return round6(cost);
}

export const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
