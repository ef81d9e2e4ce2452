/** The routes of CloudEvents 1.0 over HTTP (issue 14). */
export const CLOUDEVENTS_ROUTES = {} as const;
