// Any /api path no route file serves: a classified JSON 404 (after the same guard as every route, so
// an anonymous caller learns nothing about which paths exist), never Next's HTML error page.
import { errorResponse } from '../_lib/respond';
import { route } from '../_lib/guard';

export const dynamic = 'force-dynamic';

const notFound = route<{ path: string[] }>('read', async (req) =>
  errorResponse('not-found', `no API route ${req.method} ${new URL(req.url).pathname} (README "JSON API" lists them)`),
);

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
