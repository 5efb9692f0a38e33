/**
 * The parts of `@actions/core` this action uses, taken from the package's own modules (command
 * and file-command serialisation, summary) rather than its entry point. The entry point loads an
 * HTTP client for OIDC tokens at import time, about 70 ms of a 250 ms start, and this action never
 * asks for an OIDC token; the cost would fall on every run, most of which only check the registry.
 * Each function behaves as the one of the same name in `@actions/core` 2.x.
 */
import * as os from 'node:os';
import type { AnnotationProperties } from '@actions/core';
import { issue, issueCommand } from '@actions/core/lib/command';
import { issueFileCommand, prepareKeyValueMessage } from '@actions/core/lib/file-command';
import { toCommandProperties, toCommandValue } from '@actions/core/lib/utils';
import { logSafe, logSafeLines } from '../util/logSafe';

export type { AnnotationProperties };
export { summary } from '@actions/core/lib/summary';

export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** Like `getInput`, but undefined when the input is not passed at all (outside a runner, or undeclared). */
export function getInputIfGiven(name: string): string | undefined {
  return process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] === undefined ? undefined : getInput(name);
}

/** A value for a file command (GITHUB_OUTPUT, GITHUB_STATE), or the deprecated stdout command without one. */
function keyValue(file: 'OUTPUT' | 'STATE', legacy: string, name: string, value: unknown): void {
  if (process.env[`GITHUB_${file}`]) {
    issueFileCommand(file, prepareKeyValueMessage(name, value));
    return;
  }
  if (file === 'OUTPUT') process.stdout.write(os.EOL);
  issueCommand(legacy, { name }, toCommandValue(value));
}

export function setOutput(name: string, value: unknown): void {
  keyValue('OUTPUT', 'set-output', name, value);
}

export function saveState(name: string, value: unknown): void {
  keyValue('STATE', 'save-state', name, value);
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? '';
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

/** A plain log line. Unlike `@actions/core`'s, it can carry foreign text: see `logSafe`. */
export function info(message: string): void {
  process.stdout.write(logSafe(message) + os.EOL);
}

/** Step debug logging is on (a re-run with debug logging, or the ACTIONS_STEP_DEBUG secret). */
export function isDebug(): boolean {
  return process.env.RUNNER_DEBUG === '1';
}

export function debug(message: string): void {
  issueCommand('debug', {}, logSafeLines(message));
}

export function warning(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand('warning', toCommandProperties(properties), logSafeLines(message instanceof Error ? message.toString() : message));
}

export function error(message: string | Error, properties: AnnotationProperties = {}): void {
  issueCommand('error', toCommandProperties(properties), logSafeLines(message instanceof Error ? message.toString() : message));
}

export function setFailed(message: string | Error): void {
  process.exitCode = 1;
  error(message);
}

export function startGroup(name: string): void {
  issue('group', logSafe(name));
}

export function endGroup(): void {
  issue('endgroup');
}
