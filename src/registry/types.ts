/** What a registry says about one image reference. */
export type ImageStatus =
  | {
      status: 'exists';
      /** `Docker-Content-Digest` of the tag's manifest (or index). */
      digest?: string;
      /** Content type of that manifest. */
      mediaType?: string;
      /** For a multi-platform check: the platforms the image provides (e.g. `linux/amd64`). */
      platforms?: string[];
    }
  | {
      status: 'missing';
      reason: string;
      /** For a multi-platform check where the tag exists but lacks some requested platforms. */
      absentPlatforms?: string[];
    }
  | { status: 'unknown'; reason: string };

/** The four manifest media types a registry may store under a tag. */
export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

/**
 * Sent on every manifest request. With fewer types, distribution answers 404 for OCI images
 * and converts Docker images to schema 1 (with another digest).
 */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerList, MEDIA_TYPES.dockerManifest].join(
  ', ',
);

/** Time, injectable so retries and backoff are testable without sleeping. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Debug log sink; every line that reaches it has been redacted. */
export type LogFn = (line: string) => void;
