import path from 'node:path';
import type { NextConfig } from 'next';

/** The monorepo root: Next traces server files from here. */
const repoRoot = path.resolve(__dirname, '..', '..');

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Libraries are published as TypeScript source (`main: src/index.ts`); Next must compile them.
  transpilePackages: ['@auditstack/audit-core', '@auditstack/client'],
  // The Docker image builds with NEXT_OUTPUT=standalone (a self-contained server.js);
  // `auditstack up` uses `next start`, which does not work with standalone output.
  ...(process.env.NEXT_OUTPUT === 'standalone' ? { output: 'standalone' as const } : {}),
  outputFileTracingRoot: repoRoot,
  // Keep Turbopack's root equal to the tracing root, or Next warns and may guess another lockfile.
  turbopack: { root: repoRoot },
};

export default nextConfig;
