import type { RequestHandler } from 'express';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests sent by another site (403). Browsers attach Basic credentials to
 * cross-site form posts by themselves, so without this a page elsewhere could delete or requeue jobs
 * through the dashboard of a logged-in user.
 */
export function rejectCrossSite(): RequestHandler {
  return (request, response, next) => {
    if (SAFE_METHODS.has(request.method)) {
      next();
      return;
    }
    const fetchSite = request.headers['sec-fetch-site'];
    const origin = request.headers.origin;
    let crossSite = fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none';
    if (!crossSite && origin !== undefined) {
      try {
        crossSite = new URL(origin).host !== request.headers.host;
      } catch {
        crossSite = true;
      }
    }
    if (crossSite) {
      response.status(403).json({ error: 'cross-site request refused' });
      return;
    }
    next();
  };
}
