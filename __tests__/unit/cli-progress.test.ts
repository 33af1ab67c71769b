import { describe, expect, test } from '@jest/globals';
import { cliLog } from '../../src/cli/log.js';
import { progressSink, progressText } from '../../src/cli/progress.js';
import { isCommandLike } from '../../src/log-text.js';

const MIB = 1048576;

describe('progressText', () => {
  test('bytes, percent and rate; the bar only on a terminal', () => {
    expect(progressText('tc.tar.gz', 21 * MIB, 42 * MIB, 2000, true)).toBe(
      'tc.tar.gz: [############............] 21.0/42.0 MiB (50%) 10.5 MiB/s',
    );
    expect(progressText('tc.tar.gz', 21 * MIB, 42 * MIB, 2000, false)).toBe(
      'tc.tar.gz: 21.0/42.0 MiB (50%) 10.5 MiB/s',
    );
    expect(progressText('tc', 3 * MIB, null, 0, true)).toBe('tc: 3.0 MiB');
  });

  test('a label from a URL cannot carry control characters to the terminal', () => {
    expect(progressText('a\x1b[2Jb', 1, 2, 1, false)).toContain('a\\x1b[2Jb');
    expect(isCommandLike(progressText('::error::x', 1, 2, 1, false))).toBe(false);
    expect(isCommandLike(progressText('x##[error]y', 1, 2, 1, false))).toBe(false);
  });
});

describe('progressSink', () => {
  test('off a terminal: one plain line per quarter of the total, whatever the chunk count', () => {
    let t = 0;
    const sink = progressSink(false, () => t);
    const out: string[] = [];
    for (let done = 0; done <= 1000; done += 10) {
      t += 5;
      const s = sink.update('x', done, 1000);
      if (s) out.push(s);
    }
    expect(out.map((l) => /\((\d+)%\)/.exec(l)?.[1])).toEqual(['25', '50', '75', '100']);
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  });

  test('on a terminal: redrawn in place at most every 100 ms, then ended with a newline', () => {
    let t = 0;
    const sink = progressSink(true, () => t);
    const out: string[] = [];
    for (let done = 0; done <= 1000; done += 10) {
      t += 5;
      const s = sink.update('x', done, 1000);
      if (s) out.push(s);
    }
    expect(out.length).toBeGreaterThan(3);
    expect(out.length).toBeLessThan(10);
    expect(out.every((l) => l.startsWith('\r\x1b[K'))).toBe(true);
    expect(out.at(-1)).toMatch(/\(100%\).*\n$/);
    expect(sink.interrupt()).toBe('');
  });

  test('a log line during a bar clears the bar first instead of running into it', () => {
    let written = '';
    const log = cliLog({
      quiet: false,
      verbose: false,
      color: false,
      inActions: false,
      write: (s) => (written += s),
      progress: progressSink(true, () => 0),
    });
    log.progress?.('x', 1, 10);
    log.info('next');
    // eslint-disable-next-line no-control-regex
    expect(written).toMatch(/^\r\x1b\[Kx: \[.*\] 0\.0\/0\.0 MiB \(10%\)\r\x1b\[Knext\n$/);
  });

  test('--quiet shows no progress', () => {
    let written = '';
    const log = cliLog({
      quiet: true,
      verbose: false,
      color: false,
      inActions: false,
      write: (s) => (written += s),
      progress: progressSink(false, () => 0),
    });
    log.progress?.('x', 10, 10);
    expect(written).toBe('');
  });
});
