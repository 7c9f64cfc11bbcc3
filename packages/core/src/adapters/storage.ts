/** Whether a stored object is a report people read, or raw data (exports, archives). */
export type StorageKind = 'report' | 'data';

/** What to store. The key is derived from these fields by `storageKey()`, so every adapter names objects alike. */
export interface SaveRequest {
  /** Report or data type, e.g. `daily`, `weekly`, `export`, `archive`. */
  type: string;
  /** Job name (the pipeline job that produced it). */
  job: string;
  /** App id or name; `all` for several apps. */
  app: string;
  /** Id of the pipeline run that produced it. */
  runId: string;
  /** File extension without the dot: `md`, `csv`, `json`, `ndjson`, `html`, `xlsx`. */
  extension: string;
  body: string | Uint8Array | AsyncIterable<Uint8Array>;
  contentType: string;
  /** Free-form string pairs kept with the object (never secrets). */
  metadata?: Record<string, string>;
  /** Default: now. Decides the date folders and the age used by `cleanup`. */
  createdAt?: Date;
}

export interface StoredObject {
  /** Adapter-relative key, `{reports|data}/{type}/{YYYY}/{MM}/{DD}/{job}-{app}-{timestamp}-{runId}.{extension}`. */
  key: string;
  kind: StorageKind;
  /** The request's type as it appears in the key (see `safeSegment`). */
  type: string;
  contentType: string;
  size: number;
  /** ISO-8601 UTC. */
  createdAt: string;
  metadata: Record<string, string>;
  /** Where a person finds it: a path or URL. */
  location: string;
}

export interface ListQuery {
  kind?: StorageKind;
  type?: string;
  /** Only objects created before this time. */
  olderThan?: Date;
  /** Only objects created at or after this time. */
  newerThan?: Date;
}

export interface CleanupOptions {
  /** Delete objects created more than this many days before `now`. */
  olderThanDays: number;
  kind?: StorageKind;
  type?: string;
  now?: Date;
}

export interface CleanupResult {
  deleted: string[];
}

export interface StorageCapabilities {
  /** `signedUrl()` is available. */
  signedUrls: boolean;
  /** The backend keeps old versions of overwritten or deleted objects. */
  versioning: boolean;
}

/**
 * Where reports and data go. Implementations: `memoryStorage()` (core), `@dify-logs/storage-local`,
 * `@dify-logs/storage-s3`, `@dify-logs/storage-oss`. Names follow the original tool:
 * save_report / save_data / list_reports / cleanup_old_files.
 *
 * Rules every adapter keeps (checked by `testStorageAdapter`; a group may be skipped only where the
 * backend cannot do it, with the reason):
 * - a save is all or nothing: a body that fails midway rejects with that error and leaves no object
 *   that lists or reads as complete; saving the same object again afterwards succeeds;
 * - a save never replaces an existing object, even when two saves race: it fails with
 *   `DifyStorageError` code `already_exists`;
 * - keys come from `storageKey()`, so no field can escape the adapter's root; `read`/`delete` refuse
 *   unsafe keys with code `invalid_key` (`assertSafeKey`); `type` filters go through `safeSegment` too;
 * - `list` yields newest first; `read` of a missing key fails with code `not_found`;
 * - `location` and metadata never carry credentials.
 */
export interface StorageAdapter {
  readonly name: string;
  /**
   * Where this adapter keeps its objects, for people: a folder (`/srv/outputs`), `s3://bucket/prefix/`. Messages
   * about the whole storage (`cleanup`) name it; without it they name the adapter. Never carries credentials.
   */
  readonly location?: string;
  readonly capabilities: StorageCapabilities;
  saveReport(request: SaveRequest): Promise<StoredObject>;
  saveData(request: SaveRequest): Promise<StoredObject>;
  read(key: string): Promise<Uint8Array>;
  list(query?: ListQuery): AsyncIterable<StoredObject>;
  /** true when something was deleted. */
  delete(key: string): Promise<boolean>;
  cleanup(options: CleanupOptions): Promise<CleanupResult>;
  signedUrl?(key: string, options?: { expiresInSeconds?: number }): Promise<string>;
  /** Releases clients the adapter created itself (never ones it was given). */
  close?(): Promise<void>;
}

/** The type of an adapter factory: `createS3Storage(options): StorageAdapter`. */
export type StorageFactory<Options> = (options: Options) => StorageAdapter;
