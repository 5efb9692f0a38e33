/**
 * Runs a tool (docker buildx) the way `@actions/exec` does, but with the log made safe: the echoed
 * `[command]` line quotes every argument and goes through `logSafe`, and so does every line the
 * tool prints (BuildKit echoes Dockerfile lines and RUN output, which come from the repository).
 */
import * as exec from '@actions/exec';
import { logSafe } from '../util/logSafe';

const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** An argument as a POSIX shell would need it, for display only (the tool gets argv, no shell). */
function shown(arg: string): string {
  return arg !== '' && PLAIN.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The `[command]` line the runner shows for a tool run. */
export function commandLine(tool: string, args: readonly string[]): string {
  return logSafe(`[command]${[tool, ...args].map(shown).join(' ')}`);
}

export async function runTool(tool: string, args: string[]): Promise<number> {
  process.stdout.write(commandLine(tool, args) + '\n');
  return exec.exec(tool, args, {
    ignoreReturnCode: true,
    silent: true,
    listeners: {
      stdline: (line) => process.stdout.write(logSafe(line) + '\n'),
      // As `@actions/exec` does, the tool's stderr (BuildKit's progress) goes to stdout: one stream
      // keeps the log in order.
      errline: (line) => process.stdout.write(logSafe(line) + '\n'),
    },
  });
}

/** Runs a tool for its output (e.g. `docker buildx inspect`); nothing reaches the log. */
export async function readTool(tool: string, args: string[]): Promise<{ code: number; stdout: string }> {
  const r = await exec.getExecOutput(tool, args, { ignoreReturnCode: true, silent: true });
  return { code: r.exitCode, stdout: r.stdout };
}
