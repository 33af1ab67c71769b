import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/** How the server misbehaves for a path, to test the download's fault handling. */
export type Fault =
  | { kind: 'status'; status: number; times?: number }
  | { kind: 'reset-mid-body'; times?: number }
  | { kind: 'truncate'; times?: number }
  | { kind: 'html-200' }
  | { kind: 'stall' }
  /** Answers with `status` (default 302) and `Location: location`, verbatim (may be relative). */
  | { kind: 'redirect'; location?: string; status?: number };

export interface FileServer {
  url: string;
  /** GET requests per path (e.g. '/a.tar.gz' → 2). */
  hits: Map<string, number>;
  fault(urlPath: string, f: Fault): void;
  close(): Promise<void>;
}

/** Serves files from `root` on 127.0.0.1, counting requests and injecting faults on demand. */
export async function startFileServer(root: string): Promise<FileServer> {
  const hits = new Map<string, number>();
  const faults = new Map<string, Fault>();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    hits.set(p, (hits.get(p) ?? 0) + 1);
    const f = faults.get(p);
    if (f && 'times' in f && f.times !== undefined) {
      if (f.times <= 0) faults.delete(p);
      else f.times--;
    }
    const active = faults.get(p) === f ? f : undefined;
    if (active?.kind === 'redirect') {
      // A redirecting path needs no file behind it; without `location` the header is left out.
      const headers = active.location === undefined ? {} : { location: active.location };
      res.writeHead(active.status ?? 302, headers).end();
      return;
    }
    const file = path.join(root, path.normalize(p));
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    serve(file, res, active);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    fault: (p, f) => faults.set(p, { ...f }),
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

function serve(file: string, res: http.ServerResponse, f: Fault | undefined): void {
  const size = fs.statSync(file).size;
  if (f?.kind === 'status') {
    res.writeHead(f.status).end(`status ${f.status}`);
  } else if (f?.kind === 'html-200') {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<html><body>Checking your browser before accessing…</body></html>');
  } else if (f?.kind === 'stall') {
    res.writeHead(200, { 'content-length': size });
    res.write(Buffer.alloc(1024));
    // A black-holed peer: the client's FIN (what a socket timeout sends) never arrives, so the
    // connection stays open however the client gives up, unless it destroys the socket itself.
    res.socket?.removeAllListeners('end');
  } else if (f?.kind === 'reset-mid-body' || f?.kind === 'truncate') {
    res.writeHead(200, { 'content-length': size });
    const half = fs.readFileSync(file).subarray(0, Math.floor(size / 2));
    res.write(half, () => {
      if (f.kind === 'reset-mid-body') res.socket?.resetAndDestroy();
      else res.socket?.end();
    });
  } else {
    res.writeHead(200, { 'content-length': size });
    fs.createReadStream(file).pipe(res);
  }
}
