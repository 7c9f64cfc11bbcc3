import { createHash } from 'node:crypto';
import type { DeleteObjectsCommand } from '@aws-sdk/client-s3';

/**
 * Adds a `Content-MD5` header to one DeleteObjects request. S3 requires an integrity header on
 * DeleteObjects; current SDK versions send a CRC32 checksum only, which AWS accepts but several
 * S3-compatible stores (OpenStack Swift's s3api among them) do not: they answer
 * `InvalidRequest: Missing required header for this request: Content-MD5`. The middleware is added to
 * the command, never to the client, so a client passed in by the caller is left as it was.
 */
export function withContentMd5(command: DeleteObjectsCommand): DeleteObjectsCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const body = request.body;
      if (request.headers && (typeof body === 'string' || body instanceof Uint8Array)) {
        const hasMd5 = Object.keys(request.headers).some((header) => header.toLowerCase() === 'content-md5');
        if (!hasMd5) request.headers['content-md5'] = createHash('md5').update(body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', name: 'difyLogsContentMd5', override: true },
  );
  return command;
}
