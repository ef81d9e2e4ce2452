/**
 * Every identifier of the demo fleet (`auditstack demo`, docs/demo.md) starts with this: engines,
 * products, workspaces, agents, runs, policies, the cluster. Stored in the `demo_loaded` marker's
 * details (`id_prefix`): never change.
 */
export const DEMO_ID_PREFIX = 'demo-';
/** Users of the demo fleet are pseudonymous ids `u_demo_…` (the marker's `user_prefix`): never change. */
export const DEMO_USER_PREFIX = 'u_demo_';
