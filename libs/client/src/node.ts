// Node-only entry of @auditstack/client (`@auditstack/client/node`): process hooks, kept out of the browser-safe index.
export * from './shutdown-hook.util';
