import { z } from 'zod';

/** Keyset position of the checkpoint list: the last checkpoint's id (the list is newest first). */
export const CheckpointPositionSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
