/** Registry existence checks: the public surface of src/registry. */
export { checkImages, RegistryClient, isNotFoundAnswer } from './check';
export type { CheckOptions, ImageCheckResult, ImageQuery } from './check';
export { hasExplicitRegistry, parseReference, formatReference, manifestReference, InvalidReferenceError } from './reference';
export type { ImageReference } from './reference';
export { Redactor, REDACTED } from './redact';
export type { SetSecret } from './redact';
export { parseChallenges } from './auth';
export type { Challenge } from './auth';
export { lookupCredentials, dockerConfigPath, CredentialError } from './credentials';
export type { Credential, CredentialDeps } from './credentials';
export { InsecureRegistries, isLoopbackHost, plainHttpAllowed } from './http';
export { backoffDelay, parseRetryAfter, DEFAULT_RETRY_POLICY } from './retry';
export type { RetryPolicy } from './retry';
export { MANIFEST_ACCEPT, MEDIA_TYPES, realClock } from './types';
export type { Clock, ImageStatus, LogFn } from './types';
