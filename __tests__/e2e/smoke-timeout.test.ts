import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { runAction, runnerDirs, type ActionRun, type RunnerDirs } from '../helpers/run-action.js';
import { TOOLCHAIN_DIR, testToolchain } from '../helpers/test-env.js';
import { offlineInputs, workspaceWithFixtures } from '../helpers/workspace.js';
import { alive } from '../helpers/processes.js';

// smoke-test-timeout must bound the smoke run even when the binary starts a background child
// that inherits its stdout: through dist/index.js, a real aarch64 binary under qemu whose child
// (the host's sh and sleep, exec'd from the guest) holds the pipe for 60 s.

const MAIN_RS = `use std::process::Command;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let secs = args.get(1).cloned().unwrap_or_else(|| "60".into());
    let child = || {
        // Inherits stdout and stderr, as a forgotten background process or a daemon does.
        Command::new("sh")
            .args(["-c", "sleep \\"$1\\"", "sh", &secs])
            .spawn()
            .expect("spawn sh")
    };
    match args.first().map(String::as_str) {
        Some("leave-child") => {
            child();
            println!("started a child");
        }
        Some("hang") => {
            child();
            println!("hanging");
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
        _ => println!("leftover ok"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn starts_a_background_process() {
        // A test that forgets a server it started: it inherits cargo test's stdout.
        let secs = std::env::var("LEFTOVER_SLEEP").unwrap_or_else(|_| "60".into());
        std::process::Command::new("sh")
            .args(["-c", "sleep \\"$1\\"", "sh", &secs])
            .spawn()
            .expect("spawn sh");
    }
}
`;

let server: FileServer;
let dirs: RunnerDirs;
let warm: ActionRun;
const a64 = testToolchain('aarch64-linux-gnu');
let n = 0;
const markers: string[] = [];

/** A sleep duration (~60 s) no other process has, so pgrep finds only this test's sleeper. */
function marker(): string {
  const m = `60.${process.pid}${++n}`;
  markers.push(m);
  return m;
}

function inputs(over: Record<string, string>): Record<string, string> {
  return offlineInputs(dirs, {
    target: 'pi4',
    'working-directory': 'leftover',
    'toolchain-url': `${server.url}/${a64.file}`,
    'toolchain-sha256': a64.sha256,
    upload: 'false',
    ...over,
  });
}

beforeAll(async () => {
  server = await startFileServer(TOOLCHAIN_DIR);
  dirs = runnerDirs('smoke-timeout');
  workspaceWithFixtures(dirs);
  const crate = path.join(dirs.workspace, 'leftover');
  fs.mkdirSync(path.join(crate, 'src'), { recursive: true });
  fs.writeFileSync(
    path.join(crate, 'Cargo.toml'),
    '[package]\nname = "leftover"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n',
  );
  fs.writeFileSync(path.join(crate, 'src', 'main.rs'), MAIN_RS);
  // Build (and download the toolchain) once, so the tests below time the smoke run, not cargo.
  warm = await runAction(inputs({ 'smoke-test': 'plain' }), dirs);
  expect(warm.errors).toEqual([]);
  expect(warm.stdout).toContain('leftover ok');
}, 300000);

afterAll(async () => {
  // Only this test's own sleepers, by pid, whatever a failed assertion left behind.
  for (const m of markers) for (const pid of alive(m)) process.kill(pid, 'SIGKILL');
  await server.close();
});

async function settled(m: string): Promise<number[]> {
  for (let i = 0; i < 20 && alive(m).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return alive(m);
}

test('a passing smoke run says how it ran: under qemu with the board CPU, in the outputs and the summary', () => {
  const [bin] = JSON.parse(warm.outputs.binaries as string) as { smoke: unknown }[];
  expect(bin?.smoke).toEqual({ ok: true, how: 'qemu', cpu: 'cortex-a72' });
  expect(warm.summary).toMatch(/✅ <code>leftover ok[^<]*<\/code> \(qemu -cpu cortex-a72\) \|/);
  expect(warm.summary).not.toContain('### Smoke runs');
});

test('exits 0 but leaves a child holding stdout: the run ends soon, says so, and kills the child', async () => {
  const m = marker();
  const t0 = Date.now();
  const r = await runAction(
    inputs({ 'smoke-test': `leave-child ${m}`, 'smoke-test-timeout': '5' }),
    dirs,
  );
  const wall = Date.now() - t0;
  // The child would have held the step for 60 s.
  expect(wall).toBeLessThan(30000);
  expect(r.code).toBe(1);
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]).toMatch(
    /smoke run under qemu -cpu cortex-a72: exited 0 but left a child process holding its output open; it was killed/,
  );
  expect(r.errors[0]).not.toMatch(/did not finish/);
  const ms = Number(/smoke run leftover \(cortex-a72\): FAILED in (\d+) ms/.exec(r.stdout)?.[1]);
  expect(ms).toBeLessThan(5000);
  expect(await settled(m)).toEqual([]);
});

test('never exits, with a child holding stdout: killed at the deadline with its whole tree', async () => {
  const m = marker();
  const t0 = Date.now();
  const r = await runAction(inputs({ 'smoke-test': `hang ${m}`, 'smoke-test-timeout': '5' }), dirs);
  const wall = Date.now() - t0;
  expect(wall).toBeLessThan(30000);
  expect(r.code).toBe(1);
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]).toMatch(/did not finish within 5 s and was killed, with every process/);
  expect(r.errors[0]).not.toMatch(/left a child/);
  expect(await settled(m)).toEqual([]);
});

test('the same class in cargo test: a test that leaves a child holding stdout does not hold the step', async () => {
  const m = marker();
  const t0 = Date.now();
  const r = await runAction(inputs({ command: 'test' }), dirs, { LEFTOVER_SLEEP: m });
  const wall = Date.now() - t0;
  // cargo test itself is done in seconds; its test's child would have held our pipe for 60 s.
  expect(wall).toBeLessThan(50000);
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/test tests::starts_a_background_process \.\.\. ok/);
  expect(await settled(m)).toEqual([]);
}, 120000);
