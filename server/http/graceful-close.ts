/**
 * Closing the HTTP server without dropping work: stop listening at once, let every request in flight finish, and
 * close each keep-alive connection as soon as it has nothing left to answer, so shutdown takes as long as the
 * slowest request, not the clients' idle timeouts.
 *
 * Node closes the connections that are idle when `close()` is called; one that finishes its request later would
 * stay open, waiting for a next request that must not come. So responses still to be written go out with
 * `Connection: close`, and connections that turn idle are closed on a short beat. Whatever is still open after
 * `cutAfterMs` is cut, so shutdown always ends.
 */
import type { Server, ServerResponse } from 'node:http';

export interface GracefulServer {
  /** Resolves once every connection is closed; `onCut` hears how many had to be cut. */
  close(options: { cutAfterMs: number; onCut?: (open: number) => void }): Promise<void>;
}

export function gracefulServer(server: Server): GracefulServer {
  const active = new Set<ServerResponse>();
  let closing = false;
  server.on('request', (_req, res: ServerResponse) => {
    if (closing) res.shouldKeepAlive = false;
    active.add(res);
    res.once('close', () => active.delete(res));
  });
  return {
    close({ cutAfterMs, onCut }) {
      closing = true;
      return new Promise<void>((resolve) => {
        for (const res of active) if (!res.headersSent) res.shouldKeepAlive = false;
        const beat = setInterval(() => server.closeIdleConnections(), 50);
        const cut = setTimeout(() => {
          onCut?.(active.size);
          server.closeAllConnections();
        }, cutAfterMs);
        server.close(() => {
          clearInterval(beat);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
