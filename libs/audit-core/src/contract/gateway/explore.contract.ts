/** The routes of the timeline and event detail reads (issue 14). */
export const EXPLORE_ROUTES = {} as const;
