// The table (status and title of every gateway error code) is part of the contract: audit-core's contract/gateway.errors.ts.
export { GATEWAY_ERRORS, type GatewayErrorCode } from '@auditstack/audit-core';
