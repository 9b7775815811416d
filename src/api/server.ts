import type { FastifyInstance } from 'fastify';
import type { Logger } from '../shared/logger.js';

/** The only place that listens; closes gracefully on SIGTERM/SIGINT. */
export async function serve(app: FastifyInstance, host: string, port: number, log: Logger, onClose: () => Promise<void>): Promise<void> {
  await app.listen({ host, port });
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down api');
    await app.close();
    await onClose();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
