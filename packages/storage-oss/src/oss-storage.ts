import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import OSS from 'ali-oss';
import { silentLogger } from '@dify-logs/core';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import { USER_AGENT } from '@dify-logs/core/adapter-kit';
import { createObjectStorage } from '@dify-logs/core/adapter-kit';
import { isAlreadyExists, isMissing, storageError, type ErrorContext } from './oss-errors.js';
import { fromOssMetaHeaders, toOssMetaHeaders } from './oss-metadata.js';
import { checkExpiry, resolveOptions, type Connection, type OssStorageOptions } from './oss-options.js';
import { writeObject } from './oss-upload.js';

/** Keys per ListObjectsV2 page (the OSS maximum). */
const LIST_PAGE = 1000;
/** Parts uploaded at once: memory use is about this times `partSizeBytes`. */
const UPLOAD_QUEUE = 4;
/** Idle keep-alive sockets of an owned client are closed after this long (urllib lengthens it while a request runs). */
const IDLE_SOCKET_MS = 4_000;

/** The client the adapter made, with the sockets it owns. */
interface OwnedClient {
  client: OSS;
  agents: Array<HttpAgent | HttpsAgent>;
}

/** ali-oss settings its type definitions leave out. */
interface ClientSettings {
  options?: { accessKeyId?: string; accessKeySecret?: string; stsToken?: string; authorizationV4?: boolean };
  userAgent?: string;
}

/**
 * Stores reports and data in an Aliyun OSS bucket, under
 * `[prefix/]{reports|data}/{type}/{YYYY}/{MM}/{DD}/{job}-{app}-{timestamp}-{runId}.{ext}`, with the
 * content type and metadata on the object. Saves check for the key first, then write with
 * `x-oss-forbid-overwrite: true`, streaming large bodies as multipart uploads that are aborted on
 * failure; signed URLs are V4 (or V1 with `authorizationV4: false`).
 */
export function createOssStorage(options: OssStorageOptions): StorageAdapter {
  const { name, bucket, prefix, signedUrlExpiresInSeconds, partSizeBytes, connection } = resolveOptions(options);
  const logger = (options.logger ?? silentLogger).child({ adapter: name });
  let owned: OwnedClient | undefined;

  function client(): OSS {
    if (options.client) return options.client;
    owned ??= createClient(bucket, connection!);
    return owned.client;
  }

  function secrets(): string[] {
    const settings = ((options.client ?? owned?.client) as ClientSettings | undefined)?.options ?? connection ?? {};
    return [settings.accessKeySecret, settings.stsToken, settings.accessKeyId].filter(
      (value): value is string => typeof value === 'string',
    );
  }

  const context: ErrorContext = { adapter: name, bucket, secrets };

  async function head(objectKey: string): Promise<Record<string, unknown> | undefined> {
    try {
      const result = await client().head(objectKey);
      return result.res.headers as Record<string, unknown>;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  return createObjectStorage({
    name,
    location: `oss://${bucket}/${prefix}`,
    capabilities: { signedUrls: true, versioning: false },
    prefix,
    locate: (objectKey) => `oss://${bucket}/${objectKey}`,
    async head(objectKey) {
      const headers = await head(objectKey);
      if (!headers) return undefined;
      const contentType = headers['content-type'];
      return {
        contentType: typeof contentType === 'string' ? contentType : undefined,
        size: Number(headers['content-length'] ?? 0),
        metadata: fromOssMetaHeaders(headers),
      };
    },
    async put(objectKey, body, { contentType, metadata }) {
      const headers = { 'Content-Type': contentType, ...toOssMetaHeaders(metadata) };
      const size = await writeObject(
        { client: client(), adapter: name, objectKey, headers, partSizeBytes, queueSize: UPLOAD_QUEUE, logger },
        body,
      );
      logger.debug({ objectKey, size }, 'saved');
      return size;
    },
    async get(objectKey) {
      try {
        const content: unknown = (await client().get(objectKey)).content;
        return content instanceof Uint8Array
          ? new Uint8Array(content.buffer, content.byteOffset, content.byteLength)
          : new Uint8Array();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async *listFolder(folder) {
      let token: string | undefined;
      do {
        const page: OSS.ListV2ObjectResult = await client().listV2({
          prefix: folder,
          'max-keys': LIST_PAGE,
          ...(token === undefined ? {} : { 'continuation-token': token }),
        });
        for (const entry of page.objects ?? []) if (entry.name) yield entry.name;
        token = page.isTruncated ? page.nextContinuationToken || undefined : undefined;
      } while (token);
    },
    async deleteOne(objectKey) {
      const existed = (await head(objectKey)) !== undefined;
      // DeleteObject answers 204 for a missing key too; sent anyway so a missing bucket is reported
      // (ali-oss calls every 404 of a HEAD NoSuchKey).
      await client().delete(objectKey);
      if (existed) logger.debug({ objectKey }, 'deleted');
      return existed;
    },
    async deleteMany(objectKeys) {
      // ali-oss sends the Content-MD5 that DeleteMultipleObjects requires.
      const response: OSS.DeleteMultiResult = await client().deleteMulti(objectKeys, { quiet: false });
      return (response.deleted ?? []).flatMap((entry: unknown) => {
        const key = typeof entry === 'string' ? entry : (entry as { Key?: string }).Key;
        return key === undefined ? [] : [key];
      });
    },
    async signedUrl(objectKey, expiresInSeconds) {
      const expires = expiresInSeconds ?? signedUrlExpiresInSeconds;
      checkExpiry('expiresInSeconds', expires);
      const oss = client();
      const v4 = (oss as ClientSettings).options?.authorizationV4 === true;
      return v4
        ? await oss.signatureUrlV4('GET', expires, undefined, objectKey)
        : oss.signatureUrl(objectKey, { expires, method: 'GET' });
    },
    async close() {
      for (const agent of owned?.agents ?? []) agent.destroy();
      owned = undefined;
    },
    isAlreadyExists,
    failure: (error, action, objectKey, key) => storageError(context, error, action, objectKey, key),
  });
}

/**
 * An ali-oss client of our own, with its own keep-alive agents (ali-oss shares global ones otherwise), so `close()` can
 * release its sockets.
 */
function createClient(bucket: string, connection: Connection): OwnedClient {
  // Idle sockets close after 4 s, before servers that keep connections 5 s close them under a request.
  const agent = new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  const httpsAgent = new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  const settings = {
    bucket,
    accessKeyId: connection.accessKeyId,
    accessKeySecret: connection.accessKeySecret,
    ...(connection.stsToken === undefined ? {} : { stsToken: connection.stsToken, refreshSTSTokenInterval: 300_000 }),
    ...(connection.region === undefined ? {} : { region: connection.region }),
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    secure: connection.secure,
    sldEnable: connection.pathStyle,
    authorizationV4: connection.authorizationV4,
    agent,
    httpsAgent,
    // Core does not retry storage calls and classifies errors (`isRetryable`) for callers that do.
    retryMax: 0,
  };
  const client = new OSS(settings as OSS.Options);
  const identity = client as unknown as ClientSettings;
  identity.userAgent = `${USER_AGENT} ${identity.userAgent ?? ''}`.trim();
  return { client, agents: [agent, httpsAgent] };
}
