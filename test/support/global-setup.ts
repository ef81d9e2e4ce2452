// Replaced by the real PostgreSQL/Redis setup (template database, migrations) below.
export default async function globalSetup(): Promise<void> {}
