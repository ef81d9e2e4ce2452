/** The routes of OpenTelemetry logs over OTLP/HTTP (issue 14). */
export const OTLP_ROUTES = {} as const;
