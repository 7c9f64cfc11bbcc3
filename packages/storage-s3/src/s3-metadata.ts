import { packMetadata, unpackMetadata } from '@dify-logs/core/adapter-kit';

/** Request metadata as S3 user metadata (`x-amz-meta-*`, see `packMetadata`). */
export function toS3Metadata(metadata: Record<string, string> | undefined): Record<string, string> {
  return packMetadata(metadata);
}

/** The request metadata back from S3 user metadata (the inverse of `toS3Metadata`). */
export function fromS3Metadata(metadata: Record<string, string> | undefined): Record<string, string> {
  return unpackMetadata(Object.entries(metadata ?? {}));
}
