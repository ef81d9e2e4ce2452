/** The routes of the Kubernetes audit webhook backend (issue 14). */
export const K8S_AUDIT_ROUTES = {} as const;
