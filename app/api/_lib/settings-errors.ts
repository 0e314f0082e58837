// Settings routes: a DbError of kind 'query' or an SloInputError is the caller's bad input (400
// invalid-input), not an internal error; everything else goes through toErrorResponse.
import { DbError } from '@/lib/db';
import { SloInputError } from '@/lib/slo/errors';
import { errorResponse, toErrorResponse } from './respond';

export function settingsErrorResponse(e: unknown) {
  if (e instanceof DbError && e.kind === 'query') return errorResponse('invalid-input', e.message);
  if (e instanceof SloInputError) return errorResponse('invalid-input', e.message);
  return toErrorResponse(e);
}
