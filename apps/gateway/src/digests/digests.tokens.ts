/** Injection token of the loaded finops cost model ({@link CostModel}). */
export const COST_MODEL = Symbol('COST_MODEL');
