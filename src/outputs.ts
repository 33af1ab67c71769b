import type { ShipResult } from './ship.js';
import type { ToolchainUse } from './toolchain/prepare.js';
import type { CheckedBinary } from './verify/binaries.js';

/** The step's outputs, as action.yml documents them. Pure: main.ts writes them. */
export function actionOutputs(
  triples: readonly string[],
  toolchains: readonly ToolchainUse[],
  binaries: readonly CheckedBinary[],
  shipped: ShipResult | null,
  sysroots: readonly { triple: string; resolved: readonly string[] }[] = [],
): Record<string, string> {
  return {
    targets: triples.join('\n'),
    toolchains: JSON.stringify(toolchains),
    binaries: JSON.stringify(
      binaries.map((b) => ({
        target: b.target,
        name: b.name,
        path: b.path,
        package: b.package,
        version: b.version,
        size: b.size,
        sha256: b.sha256,
        glibc: b.facts?.glibcNeeded ?? null,
        piOs: b.facts?.runsOn ?? null,
        boards: b.boards,
        verified: b.verdict,
        // How the smoke run ran it: a workflow can tell qemu with the board's CPU from native.
        smoke: b.smoke
          ? {
              ok: b.smoke.ok,
              how: b.smoke.ran.how,
              cpu: b.smoke.ran.how === 'qemu' ? b.smoke.ran.cpu : null,
            }
          : null,
      })),
    ),
    archives: (shipped?.packaged.archives ?? []).map((a) => a.path).join('\n'),
    checksums: shipped?.packaged.checksumsPath ?? '',
    'artifact-ids': (shipped?.artifacts ?? []).map((a) => a.id).join('\n'),
    'artifact-urls': (shipped?.artifacts ?? []).map((a) => a.url).join('\n'),
    'sysroot-packages': sysroots
      .flatMap((s) => s.resolved.map((r) => `${s.triple} ${r}`))
      .join('\n'),
  };
}
