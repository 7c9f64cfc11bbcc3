/** The operations of the OSS test server, on authenticated requests whose body arrived whole. */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { childElements, childText, element, rootContent, xmlDocument } from './oss-xml.js';

export interface ServerObject {
  body: Buffer;
  contentType: string;
  /** `x-oss-meta-*` headers by their (lower-case) name without the prefix. */
  metadata: Record<string, string>;
  /** With quotes, upper-case hex, as OSS returns it. */
  etag: string;
  lastModified: Date;
  type: 'Normal' | 'Multipart';
}

export interface ServerUpload {
  uploadId: string;
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  initiated: Date;
  parts: Map<number, { body: Buffer; etag: string; lastModified: Date }>;
}

export interface ServerState {
  buckets: Map<string, Map<string, ServerObject>>;
  uploads: Map<string, ServerUpload>;
  now: () => number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string | number>;
  body?: Buffer;
  error?: { code: string; message: string; bucket: string; key: string; details?: Record<string, string> | undefined };
}

export interface RequestContext {
  state: ServerState;
  bucket: string;
  objects: Map<string, ServerObject>;
  key: string;
  query: Map<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  operation: string;
}

const OWNER_ID = '1384100932710418';
const MIN_PART_BYTES = 100 * 1024;
const MAX_PART_NUMBER = 10_000;

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const md5Hex = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex').toUpperCase();
const normalizeEtag = (etag: string) => etag.replace(/"/g, '').trim().toUpperCase();

function fail(
  context: RequestContext,
  status: number,
  code: string,
  message: string,
  details?: Record<string, string>,
): Reply {
  return { status, error: { code, message, bucket: context.bucket, key: context.key, details } };
}

function xmlReply(root: string, children: string[], headers: Record<string, string> = {}): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'application/xml', ...headers },
    body: Buffer.from(xmlDocument(root, children)),
  };
}

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function metadataOf(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const name of Object.keys(headers))
    if (name.startsWith('x-oss-meta-')) metadata[name.slice('x-oss-meta-'.length)] = headerText(headers, name) ?? '';
  return metadata;
}

const forbidsOverwrite = (context: RequestContext) =>
  headerText(context.headers, 'x-oss-forbid-overwrite')?.toLowerCase() === 'true';
const alreadyExists = (context: RequestContext) =>
  fail(context, 409, 'FileAlreadyExists', 'The object you specified already exists and can not be overwritten.');

export function handleBucket(context: RequestContext): Reply {
  switch (context.operation) {
    case 'ListObjectsV2':
    case 'ListObjects':
      return listObjects(context, context.operation === 'ListObjectsV2');
    case 'DeleteMultipleObjects':
      return deleteMultiple(context);
    case 'ListMultipartUploads':
      return listUploads(context);
    default:
      return fail(context, 501, 'NotImplemented', `${context.operation} is not implemented by this test server.`);
  }
}

export function handleObject(context: RequestContext): Reply {
  switch (context.operation) {
    case 'PutObject':
      return putObject(context);
    case 'GetObject':
    case 'HeadObject':
      return getObject(context);
    case 'DeleteObject':
      context.objects.delete(context.key);
      return { status: 204 };
    case 'InitiateMultipartUpload':
      return initiateUpload(context);
    case 'UploadPart':
      return uploadPart(context);
    case 'CompleteMultipartUpload':
      return completeUpload(context);
    case 'AbortMultipartUpload':
      return context.state.uploads.delete(findUpload(context)?.uploadId ?? '')
        ? { status: 204 }
        : noSuchUpload(context);
    case 'ListParts':
      return listParts(context);
    default:
      return fail(context, 501, 'NotImplemented', `${context.operation} is not implemented by this test server.`);
  }
}

function putObject(context: RequestContext): Reply {
  if (context.headers['x-oss-copy-source'] !== undefined)
    return fail(context, 501, 'NotImplemented', 'CopyObject is not implemented by this test server.');
  if (forbidsOverwrite(context) && context.objects.has(context.key)) return alreadyExists(context);
  const etag = `"${md5Hex(context.body)}"`;
  context.objects.set(context.key, {
    body: context.body,
    contentType: headerText(context.headers, 'content-type') ?? 'application/octet-stream',
    metadata: metadataOf(context.headers),
    etag,
    lastModified: new Date(context.state.now()),
    type: 'Normal',
  });
  return { status: 200, headers: { etag, 'content-md5': createHash('md5').update(context.body).digest('base64') } };
}

const RESPONSE_OVERRIDES = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding',
];

function getObject(context: RequestContext): Reply {
  const object = context.objects.get(context.key);
  if (!object) return fail(context, 404, 'NoSuchKey', 'The specified key does not exist.');
  const headers: Record<string, string | number> = {
    'content-type': object.contentType,
    'content-length': object.body.byteLength,
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'x-oss-object-type': object.type,
    'x-oss-storage-class': 'Standard',
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-oss-meta-${name}`] = value;
  for (const name of RESPONSE_OVERRIDES) {
    const override = context.query.get(`response-${name}`);
    if (override !== undefined) headers[name] = override;
  }
  return { status: 200, headers, body: context.operation === 'HeadObject' ? undefined : object.body };
}

/** Where a listing resumes: after a key, or after every key under a common prefix. */
interface Marker {
  k: string;
  p: boolean;
}

function listObjects(context: RequestContext, v2: boolean): Reply {
  const { query } = context;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeysText = query.get('max-keys') ?? '100';
  const maxKeys = Number(maxKeysText);
  if (!/^\d+$/.test(maxKeysText) || maxKeys > 1000)
    return fail(context, 400, 'InvalidArgument', 'max-keys must be a number from 0 to 1000.', {
      ArgumentName: 'max-keys',
      ArgumentValue: maxKeysText,
    });
  const encodingType = query.get('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url')
    return fail(context, 400, 'InvalidArgument', 'encoding-type must be url.');
  const encode = (text: string) => (encodingType === 'url' ? encodeURIComponent(text) : text);

  let marker: Marker | undefined;
  const token = query.get('continuation-token');
  if (v2 && token !== undefined) {
    try {
      marker = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Marker;
      if (typeof marker.k !== 'string') throw new Error('no key');
    } catch {
      return fail(context, 400, 'InvalidArgument', 'The continuation token is not valid.', {
        ArgumentName: 'continuation-token',
      });
    }
  } else {
    const after = v2 ? query.get('start-after') : query.get('marker');
    if (after) marker = { k: after, p: false };
  }

  const contents: string[] = [];
  const prefixes: string[] = [];
  let last: Marker | undefined;
  let truncated = false;
  for (const key of [...context.objects.keys()].filter((candidate) => candidate.startsWith(prefix)).sort(byteOrder)) {
    if (marker && (byteOrder(key, marker.k) <= 0 || (marker.p && key.startsWith(marker.k)))) continue;
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const common = cut === -1 ? undefined : key.slice(0, cut + delimiter.length);
    if (common !== undefined && prefixes.at(-1) === common) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (common !== undefined) prefixes.push(common);
    else contents.push(key);
    last = common === undefined ? { k: key, p: false } : { k: common, p: true };
  }

  const owner = !v2 || query.get('fetch-owner') === 'true';
  const entries = contents.map((key) => {
    const object = context.objects.get(key)!;
    return element('Contents', [
      element('Key', encode(key)),
      element('LastModified', object.lastModified.toISOString()),
      element('ETag', object.etag),
      element('Type', object.type),
      element('Size', object.body.byteLength),
      element('StorageClass', 'Standard'),
      ...(owner ? [element('Owner', [element('ID', OWNER_ID), element('DisplayName', OWNER_ID)])] : []),
    ]);
  });
  const common = prefixes.map((value) => element('CommonPrefixes', [element('Prefix', encode(value))]));
  const head = [element('Name', context.bucket), element('Prefix', encode(prefix))];
  if (v2) {
    const startAfter = query.get('start-after');
    return xmlReply('ListBucketResult', [
      ...head,
      ...(startAfter !== undefined ? [element('StartAfter', encode(startAfter))] : []),
      ...(token !== undefined ? [element('ContinuationToken', token)] : []),
      element('MaxKeys', maxKeys),
      element('Delimiter', encode(delimiter)),
      ...(encodingType ? [element('EncodingType', encodingType)] : []),
      element('IsTruncated', truncated),
      element('KeyCount', contents.length + prefixes.length),
      ...(truncated && last
        ? [element('NextContinuationToken', Buffer.from(JSON.stringify(last)).toString('base64url'))]
        : []),
      ...entries,
      ...common,
    ]);
  }
  return xmlReply('ListBucketResult', [
    ...head,
    element('Marker', encode(query.get('marker') ?? '')),
    element('MaxKeys', maxKeys),
    element('Delimiter', encode(delimiter)),
    ...(encodingType ? [element('EncodingType', encodingType)] : []),
    element('IsTruncated', truncated),
    ...(truncated && last ? [element('NextMarker', encode(last.k))] : []),
    ...entries,
    ...common,
  ]);
}

function deleteMultiple(context: RequestContext): Reply {
  if (context.headers['content-md5'] === undefined)
    return fail(context, 400, 'InvalidDigest', 'Missing required header for this request: Content-MD5.');
  const content = rootContent(context.body.toString('utf8'), 'Delete');
  if (content === undefined)
    return fail(
      context,
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  const url = context.query.get('encoding-type') === 'url';
  const keys = childElements(content, 'Object').map((object) => childText(object, 'Key'));
  if (keys.length === 0 || keys.length > 1000)
    return fail(context, 400, 'MalformedXML', 'DeleteMultipleObjects takes 1 to 1000 objects.');
  if (keys.some((key) => key === undefined || key === ''))
    return fail(context, 400, 'MalformedXML', 'Every Object needs a Key.');
  const names = keys.map((key) => (url ? decodeURIComponent(key!) : key!));
  for (const name of names) context.objects.delete(name);
  const quiet = childText(content, 'Quiet') === 'true';
  return xmlReply('DeleteResult', [
    ...(url ? [element('EncodingType', 'url')] : []),
    ...(quiet ? [] : names.map((name) => element('Deleted', [element('Key', url ? encodeURIComponent(name) : name)]))),
  ]);
}

function findUpload(context: RequestContext): ServerUpload | undefined {
  const upload = context.state.uploads.get(context.query.get('uploadId') ?? '');
  return upload && upload.bucket === context.bucket && upload.key === context.key ? upload : undefined;
}

function noSuchUpload(context: RequestContext): Reply {
  return fail(
    context,
    404,
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be ' +
      'invalid, or the upload may have been aborted or completed.',
    {
      UploadId: context.query.get('uploadId') ?? '',
    },
  );
}

function initiateUpload(context: RequestContext): Reply {
  if (forbidsOverwrite(context) && context.objects.has(context.key)) return alreadyExists(context);
  const uploadId = randomBytes(16).toString('hex').toUpperCase();
  context.state.uploads.set(uploadId, {
    uploadId,
    bucket: context.bucket,
    key: context.key,
    contentType: headerText(context.headers, 'content-type') ?? 'application/octet-stream',
    metadata: metadataOf(context.headers),
    initiated: new Date(context.state.now()),
    parts: new Map(),
  });
  return xmlReply('InitiateMultipartUploadResult', [
    element('Bucket', context.bucket),
    element('Key', context.key),
    element('UploadId', uploadId),
  ]);
}

function uploadPart(context: RequestContext): Reply {
  const upload = findUpload(context);
  if (!upload) return noSuchUpload(context);
  const numberText = context.query.get('partNumber') ?? '';
  const number = Number(numberText);
  if (!/^\d+$/.test(numberText) || number < 1 || number > MAX_PART_NUMBER)
    return fail(context, 400, 'InvalidArgument', `partNumber must be 1 to ${MAX_PART_NUMBER}.`, {
      ArgumentName: 'partNumber',
    });
  const etag = `"${md5Hex(context.body)}"`;
  upload.parts.set(number, { body: context.body, etag, lastModified: new Date(context.state.now()) });
  return { status: 200, headers: { etag, 'content-md5': createHash('md5').update(context.body).digest('base64') } };
}

function completeUpload(context: RequestContext): Reply {
  const upload = findUpload(context);
  if (!upload) return noSuchUpload(context);
  const content = rootContent(context.body.toString('utf8'), 'CompleteMultipartUpload');
  const listed =
    content === undefined
      ? []
      : childElements(content, 'Part').map((part) => ({
          number: Number(childText(part, 'PartNumber')),
          etag: childText(part, 'ETag') ?? '',
        }));
  if (listed.length === 0 || listed.some((part) => !Number.isInteger(part.number)))
    return fail(
      context,
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  if (listed.some((part, index) => index > 0 && part.number <= listed[index - 1]!.number))
    return fail(context, 400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
  const bodies: Buffer[] = [];
  for (const [index, part] of listed.entries()) {
    const stored = upload.parts.get(part.number);
    if (!stored || normalizeEtag(stored.etag) !== normalizeEtag(part.etag)) {
      return fail(
        context,
        400,
        'InvalidPart',
        'One or more of the specified parts could not be found or the ' +
          "specified entity tag might not have matched the part's entity tag.",
        {
          PartNumber: String(part.number),
          ETag: part.etag,
        },
      );
    }
    if (index < listed.length - 1 && stored.body.byteLength < MIN_PART_BYTES) {
      return fail(context, 400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.', {
        PartNumber: String(part.number),
        MinSizeAllowed: String(MIN_PART_BYTES),
      });
    }
    bodies.push(stored.body);
  }
  if (forbidsOverwrite(context) && context.objects.has(context.key)) return alreadyExists(context);
  const digests = Buffer.concat(
    listed.map((part) => createHash('md5').update(upload.parts.get(part.number)!.body).digest()),
  );
  const etag = `"${md5Hex(digests)}-${listed.length}"`;
  context.objects.set(context.key, {
    body: Buffer.concat(bodies),
    contentType: upload.contentType,
    metadata: upload.metadata,
    etag,
    lastModified: new Date(context.state.now()),
    type: 'Multipart',
  });
  context.state.uploads.delete(upload.uploadId);
  return xmlReply(
    'CompleteMultipartUploadResult',
    [
      element('Location', `http://${context.bucket}.localhost/${context.key}`),
      element('Bucket', context.bucket),
      element('Key', context.key),
      element('ETag', etag),
    ],
    { etag },
  );
}

function listParts(context: RequestContext): Reply {
  const upload = findUpload(context);
  if (!upload) return noSuchUpload(context);
  const parts = [...upload.parts.entries()].sort(([a], [b]) => a - b);
  return xmlReply('ListPartsResult', [
    element('Bucket', upload.bucket),
    element('Key', upload.key),
    element('UploadId', upload.uploadId),
    element('PartNumberMarker', 0),
    element('NextPartNumberMarker', parts.at(-1)?.[0] ?? 0),
    element('MaxParts', 1000),
    element('IsTruncated', false),
    ...parts.map(([number, part]) =>
      element('Part', [
        element('PartNumber', number),
        element('LastModified', part.lastModified.toISOString()),
        element('ETag', part.etag),
        element('Size', part.body.byteLength),
      ]),
    ),
  ]);
}

function listUploads(context: RequestContext): Reply {
  const prefix = context.query.get('prefix') ?? '';
  const keyMarker = context.query.get('key-marker') ?? '';
  const maxText = context.query.get('max-uploads') ?? '1000';
  const max = Number(maxText);
  if (!/^\d+$/.test(maxText) || max < 1 || max > 1000)
    return fail(context, 400, 'InvalidArgument', 'max-uploads must be 1 to 1000.');
  const all = [...context.state.uploads.values()]
    .filter(
      (upload) =>
        upload.bucket === context.bucket &&
        upload.key.startsWith(prefix) &&
        (keyMarker === '' || byteOrder(upload.key, keyMarker) > 0),
    )
    .sort((a, b) => byteOrder(a.key, b.key) || a.initiated.getTime() - b.initiated.getTime());
  const page = all.slice(0, max);
  const truncated = all.length > max;
  return xmlReply('ListMultipartUploadsResult', [
    element('Bucket', context.bucket),
    element('KeyMarker', keyMarker),
    element('UploadIdMarker', ''),
    element('NextKeyMarker', truncated ? (page.at(-1)?.key ?? '') : ''),
    element('NextUploadIdMarker', truncated ? (page.at(-1)?.uploadId ?? '') : ''),
    element('Delimiter', ''),
    element('Prefix', prefix),
    element('MaxUploads', max),
    element('IsTruncated', truncated),
    ...page.map((upload) =>
      element('Upload', [
        element('Key', upload.key),
        element('UploadId', upload.uploadId),
        element('StorageClass', 'Standard'),
        element('Initiated', upload.initiated.toISOString()),
      ]),
    ),
  ]);
}
