/** Injection token of the loaded RBAC / rollout policy ({@link RbacPolicy}). */
export const RBAC_POLICY = Symbol('RBAC_POLICY');
