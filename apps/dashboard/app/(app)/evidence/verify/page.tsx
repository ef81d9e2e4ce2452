import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'How to verify our evidence' };

/** Plain-words guide for auditors: what is proved, and the three commands that prove it. No service call. */
export default function VerifyGuidePage() {
  return (
    <article className="prose">
      <p>
        <Link href="/evidence">← Evidence</Link>
      </p>
      <h1>How to verify our evidence</h1>
      <p className="lede">
        You do not have to trust this dashboard, or us. The ledger is built so that anyone with a copy of it and our public key can check, on their own machine,
        that no record was altered, removed, inserted or reordered.
      </p>

      <h2>What is being proved</h2>
      <ul>
        <li>
          Every record (a lifecycle event, a tool call, a check run) is hashed into a <strong>leaf</strong>. Leaves are chained, and together they form a Merkle
          tree, the same structure Certificate Transparency uses (RFC 6962).
        </li>
        <li>
          At regular intervals the platform signs a <strong>checkpoint</strong>: the number of leaves and the tree&apos;s root hash. Changing any past record
          changes the root, so it would no longer match a checkpoint that was already handed out.
        </li>
        <li>
          Each checkpoint also names the one before it, and a <strong>consistency proof</strong> shows that the newer tree only added leaves to the older one.
        </li>
      </ul>

      <h2>1. Export the ledger</h2>
      <p>
        An operator produces a bundle you can take away: the ledger, each record&apos;s canonical content, the checkpoints, the anchor copy and the public keys.
      </p>
      <pre className="command" tabIndex={0}>
        <code>npx auditstack export --out ./evidence-bundle</code>
      </pre>
      <p>
        Every ledger entry is always exported. <code>--from SEQ --to SEQ</code> only limits which records&apos; full content is included (for a large ledger);
        entries outside the range are still checked for order and hashes.
      </p>

      <h2>2. Verify it, offline</h2>
      <p>
        On your own machine, with no access to our database, re-hash every record and check the chain, the tree, every signature and every checkpoint, and
        compare the checkpoints with the anchor copy you fetched yourself from its separate storage:
      </p>
      <pre className="command" tabIndex={0}>
        <code>npx auditstack verify --bundle ./evidence-bundle --anchor ./anchors.jsonl --trust ./our-public-key.txt</code>
      </pre>
      <p>
        Without <code>--trust</code> and <code>--anchor</code> the verifier falls back to the key and the anchor copy inside the bundle, and says so: that only
        proves the bundle is consistent with itself, not that it is ours.
      </p>
      <p>
        It prints a one-line verdict and exits with status 0 only when everything checks out. Otherwise it lists each problem with its location, for example{' '}
        <code>PAYLOAD_MISMATCH at seq 1042</code> (a stored record was edited) or <code>SEQUENCE_GAP</code> (a record is missing). Add <code>--json</code> for a
        machine-readable report.
      </p>

      <h2>3. Check one record, or two checkpoints</h2>
      <p>To show that a single record is included under a checkpoint you hold:</p>
      <pre className="command" tabIndex={0}>
        <code>npx auditstack proof inclusion 1042 --checkpoint 2000</code>
      </pre>
      <p>
        It prints the leaf hash, the audit path and the signed checkpoint (tree size 2000 here; the latest without <code>--checkpoint</code>). The page of each
        run in this dashboard has a <strong>Verify inclusion</strong> button that does the same check inside your browser.
      </p>
      <p>To show that a later checkpoint extends an earlier one without rewriting it:</p>
      <pre className="command" tabIndex={0}>
        <code>npx auditstack proof consistency 1000 2000</code>
      </pre>
      <p>Each proof names the checkpoint it verifies against, so you can check it with any RFC 6962 implementation, not only ours.</p>

      <h2>Where the public key comes from</h2>
      <p>
        Get our checkpoint signing key through a channel other than this dashboard (a signed email, your contract, a published document), so that whoever
        controls the platform cannot swap it. Checkpoints are also anchored outside the platform; the verifier compares them with the anchor copy.
      </p>
    </article>
  );
}
