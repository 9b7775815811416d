import { createRequire } from 'node:module';
import { AppError } from '../shared/errors.js';
import type { AmiResponse } from './ami.types.js';

/** A failed AMI exchange; stable codes `ami_<reason>`. */
export class AmiError extends AppError {
  constructor(
    code: 'ami_auth_failed' | 'ami_not_connected' | 'ami_disconnected' | 'ami_timeout' | 'ami_action_failed' | 'ami_closed',
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, code === 'ami_action_failed' ? 502 : 503, details);
    this.name = 'AmiError';
  }
}

/** What asterisk-manager 0.2.0 exposes (it ships no types). */
export interface RawManager {
  on(event: string, fn: (...args: never[]) => void): void;
  removeAllListeners(event?: string): void;
  connect(port: number, host: string, cb: () => void): void;
  login(cb: (err?: AmiResponse) => void): void;
  action(action: Record<string, unknown>, cb: (err: AmiResponse | undefined, res: AmiResponse) => void): string;
  disconnect(): void;
  isConnected(): boolean | undefined;
}
export type ManagerFactory = (port?: number, host?: string, user?: string, password?: string, events?: boolean) => RawManager;

/** asterisk-manager is CommonJS without types; loaded when a client is built, not at import. */
export function loadManager(): ManagerFactory {
  return createRequire(import.meta.url)('asterisk-manager') as ManagerFactory;
}
