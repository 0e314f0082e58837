// Settings routes: an SloInputError is the caller's bad input (400 invalid-input), like the
// QuorumError('invalid-input') lib/data throws; everything else goes through toErrorResponse.
import { SloInputError } from '@/lib/slo/errors';
import { errorResponse, toErrorResponse } from './respond';

export function settingsErrorResponse(e: unknown) {
  if (e instanceof SloInputError) return errorResponse('invalid-input', e.message);
  return toErrorResponse(e);
}
