import { parseDashboardEnv } from './src/config/dashboard-env.schema';

// A bad setting stops boot with every wrong key named (CONVENTIONS, "Errors and config"),
// instead of surfacing later as a 500 on the landing page. Never prints a value.
try {
  parseDashboardEnv(process.env);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
