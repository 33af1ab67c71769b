/**
 * What the Actions runner reads as workflow commands in a log, written after actions/runner's
 * ActionCommand.cs and ActionCommandManager.cs: lines split at \r and \n; a `::name…::data`
 * line after leading whitespace is trimmed, or `##[name…]data` anywhere in a line; command names
 * case-insensitive; `::stop-commands::<token>` ignores everything until `::<token>::`.
 */

export interface RunnerCommand {
  name: string;
  properties: Record<string, string>;
  data: string;
  line: string;
}

const REGISTERED = [
  'error',
  'warning',
  'notice',
  'debug',
  'group',
  'endgroup',
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'set-output',
  'set-env',
  'save-state',
  'add-path',
  'echo',
  'stop-commands',
];

/** .NET's String.TrimStart(): char.IsWhiteSpace. */
const DOTNET_WHITESPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;

function unescape(s: string): string {
  return s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

function parseV2(line: string, registered: Set<string>): RunnerCommand | null {
  const msg = line.replace(DOTNET_WHITESPACE, '');
  if (!msg.startsWith('::')) return null;
  const end = msg.indexOf('::', 2);
  if (end < 0) return null;
  const info = msg.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return null;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const p of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const eq = p.indexOf('=');
      if (eq > 0) properties[p.slice(0, eq)] = unescape(p.slice(eq + 1));
    }
  }
  return { name: name.toLowerCase(), properties, data: unescape(msg.slice(end + 2)), line };
}

function parseV1(line: string, registered: Set<string>): RunnerCommand | null {
  const at = line.indexOf('##[');
  if (at < 0) return null;
  const rb = line.indexOf(']', at);
  if (rb < 0) return null;
  const info = line.slice(at + 3, rb);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!registered.has(name.toLowerCase())) return null;
  return { name: name.toLowerCase(), properties: {}, data: unescape(line.slice(rb + 1)), line };
}

/**
 * Every command the runner would act on in `log` (one stream, in order); the end of a
 * stop-commands block shows as `resume-commands`.
 */
export function runnerCommands(log: string): RunnerCommand[] {
  const registered = new Set(REGISTERED);
  const out: RunnerCommand[] = [];
  let stopToken: string | null = null;
  for (const line of log.split(/\r\n|\r|\n/)) {
    if (!line.includes('::') && !line.includes('##[')) continue;
    const cmd = parseV2(line, registered) ?? parseV1(line, registered);
    if (!cmd) continue;
    if (stopToken !== null) {
      if (cmd.name === stopToken) {
        registered.delete(stopToken);
        stopToken = null;
        out.push({ ...cmd, name: 'resume-commands', data: cmd.name });
      }
      continue;
    }
    if (cmd.name === 'stop-commands') {
      stopToken = cmd.data.toLowerCase();
      registered.add(stopToken);
    }
    out.push(cmd);
  }
  return out;
}
