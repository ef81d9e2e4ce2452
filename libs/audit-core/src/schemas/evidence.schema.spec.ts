import { formatIssues } from './common.schema';
import { CheckpointSchema, LedgerEntrySchema } from './evidence.schema';

const H = (c: string) => c.repeat(64);

const ENTRY = {
  seq: 0,
  kind: 'lifecycle',
  ref: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b',
  ts: '2026-11-22T10:00:00Z',
  payload_hash: H('1'),
  leaf_hash: H('2'),
  chain_hash: H('3'),
};

const NOTE =
  'auditstack.example/ledger\n42\nq83vOtY5k2m6mK3rUy0Y2mJt8b4bNn1m0k8o3d7eS0U=\n\n— auditstack.example/ledger Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';

const CHECKPOINT = {
  tree_size: '42',
  root_hash: H('a'),
  checkpoint_hash: H('b'),
  prev_checkpoint_hash: null,
  note: NOTE,
  key_id: 'auditstack.example/ledger',
  timestamp_kind: 'local',
  timestamp_token: 'MIIBszADAgEAMA==',
  created_at: '2026-11-22T10:00:01Z',
};

describe('LedgerEntrySchema', () => {
  it('accepts an entry, seq as number or pg bigint string', () => {
    expect(LedgerEntrySchema.parse(ENTRY).seq).toBe(0);
    expect(LedgerEntrySchema.parse({ ...ENTRY, seq: '9007199254740991' }).seq).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects an unknown kind, a non-hex hash and a negative seq, each by name', () => {
    const result = LedgerEntrySchema.safeParse({ ...ENTRY, kind: 'gossip', leaf_hash: H('G'), seq: -1 });
    expect(formatIssues(result.error!).sort()).toEqual([
      'kind: must be one of run, lifecycle, tool, config, retention, marker, observability, cluster',
      'leaf_hash: must be 64 lowercase hex characters (a SHA-256 digest)',
      'seq: must be a non-negative integer',
    ]);
  });
});

describe('CheckpointSchema', () => {
  it('accepts the first checkpoint and a chained one', () => {
    expect(CheckpointSchema.parse(CHECKPOINT).tree_size).toBe(42);
    expect(CheckpointSchema.parse({ ...CHECKPOINT, prev_checkpoint_hash: H('c'), timestamp_kind: 'rfc3161' }).prev_checkpoint_hash).toBe(H('c'));
  });

  it('rejects a truncated root hash, an unknown timestamp kind and a note without final newline', () => {
    const result = CheckpointSchema.safeParse({ ...CHECKPOINT, root_hash: H('a').slice(2), timestamp_kind: 'sundial', note: 'x' });
    expect(formatIssues(result.error!).sort()).toEqual([
      expect.stringMatching(/^note: must be a signed note/),
      'root_hash: must be 64 lowercase hex characters (a SHA-256 digest)',
      'timestamp_kind: must be one of local, rfc3161',
    ]);
  });
});
