/** DI token of the gateway's `EvidenceService`. */
export const EVIDENCE_SERVICE = Symbol('EVIDENCE_SERVICE');
