import { hostname } from 'node:os';
import { ConfigError } from './shared/errors.js';
import { profileNames } from './compliance/policy.profiles.js';

/**
 * The only reader of the environment. Everything is validated once at boot, every problem is
 * reported together, and the result is frozen and passed down explicitly.
 */
export interface Config {
  readonly env: 'production' | 'development' | 'test';
  readonly logLevel: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly api: { readonly host: string; readonly port: number; readonly bodyLimitBytes: number };
  readonly ari: {
    readonly url: string;
    readonly user: string;
    readonly password: string;
    /** Stasis application name; unique per worker so several workers can share one Asterisk. */
    readonly app: string;
  };
  readonly ami: { readonly host: string; readonly port: number; readonly user: string; readonly password: string };
  readonly dialer: {
    /** Dial string template; `{number}` is replaced by the E.164 number without '+'-stripping. */
    readonly dialTemplate: string;
    readonly ringTimeoutSeconds: number;
    readonly maxChannels: number;
    readonly callsPerSecond: number;
    readonly workerId: string;
    /** Seconds to wait for a menu digit after the prompt has played. */
    readonly menuTimeoutSeconds: number;
    /** BullMQ job lock: how long before a crashed worker's dial job is replayed elsewhere. */
    readonly jobLockMs: number;
    /** On SIGTERM, live calls may finish for this long; then they are hung up (and retried as lost). */
    readonly drainSeconds: number;
    /** Deadline of one ARI request; an originate past it is checked in Asterisk, not assumed failed. */
    readonly ariTimeoutMs: number;
  };
  /** The reconciler (src/scheduler/reconciler.ts). */
  readonly healing: {
    readonly everyMs: number;
    /** A reservation never originated after this long is released (not a dial). */
    readonly reservedTimeoutMs: number;
    /** A worker not seen for this long is dead: another takes over its live calls. */
    readonly deadWorkerMs: number;
  };
  readonly agents: {
    /** How long one agent's phone rings before the next available agent is tried. */
    readonly ringSeconds: number;
    /** How long after the greeting a customer may wait for a free agent before the no-agent message. */
    readonly waitSeconds: number;
    /** Upper bound on the whole wait (agents that do not answer included). */
    readonly maxHoldSeconds: number;
    /** High-risk calls in flight without an agent are kept at or below available agents × this. */
    readonly pacingRatio: number;
    /** When a customer nobody could take is called back (the call passes the compliance gate again). */
    readonly callbackDelaySeconds: number;
    /** Callbacks after abandoned calls, per contact and campaign. */
    readonly maxCallbacks: number;
    /** After a call the agent is not offered another one for this long, unless a disposition ends it sooner. */
    readonly wrapUpSeconds: number;
    /** Dialplan context of provisioned agent endpoints (what an agent's own dialing reaches). */
    readonly context: string;
    /** Digest realm of agents' SIP credentials (stored as md5 of user:realm:password). */
    readonly sipRealm: string;
  };
  /** Prefix of every BullMQ and pacing key in Redis (tests use a random one per file). */
  readonly queuePrefix: string;
  readonly defaultRegion: string;
  readonly policyProfile: string;
  readonly bank: { readonly name: string; readonly callbackNumber: string };
  readonly paths: {
    /** Where rendered prompts are written (host path). */
    readonly promptDir: string;
    /** The same folder as Asterisk sees it, for `sound:` URIs. */
    readonly promptDirOnAsterisk: string;
    /** Asterisk's own recording folder as the worker and the API see it (ARI names recordings relative to it). */
    readonly recordingDir: string;
    /** Recordings older than this are deleted by the worker's prune. */
    readonly recordingRetentionDays: number;
  };
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const str = (key: string, fallback?: string): string => {
    const v = env[key];
    if (v === undefined || v === '') {
      if (fallback === undefined) {
        problems.push(`${key} is required`);
        return '';
      }
      return fallback;
    }
    return v;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const num = (key: string, fallback: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) {
      problems.push(`${key} must be a number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const url = (key: string, fallback: string, protocols: string[]): string => {
    const v = str(key, fallback);
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) problems.push(`${key} must use ${protocols.join(' or ')} (got ${u.protocol})`);
    } catch {
      problems.push(`${key} is not a valid URL`);
    }
    return v;
  };
  const oneOf = <T extends string>(key: string, fallback: T, allowed: readonly T[]): T => {
    const v = str(key, fallback);
    if (!allowed.includes(v as T)) problems.push(`${key} must be one of ${allowed.join(', ')} (got "${v}")`);
    return v as T;
  };

  const nodeEnv = oneOf('NODE_ENV', 'development', ['production', 'development', 'test'] as const);
  const isProd = nodeEnv === 'production';
  // Development defaults match the sandbox; production must say every secret explicitly.
  const secret = (key: string, devDefault: string): string => str(key, isProd ? undefined : devDefault);

  const dialTemplate = str('RINGWISE_DIAL_TEMPLATE', 'PJSIP/{number}@carrier');
  if (!dialTemplate.includes('{number}')) problems.push('RINGWISE_DIAL_TEMPLATE must contain {number}');
  const defaultRegion = str('RINGWISE_DEFAULT_REGION', 'CN').toUpperCase();
  if (!/^[A-Z]{2}$/.test(defaultRegion)) problems.push('RINGWISE_DEFAULT_REGION must be an ISO 3166 alpha-2 code');
  const workerId = str('RINGWISE_WORKER_ID', hostname().replace(/[^A-Za-z0-9_-]/g, '-'));

  const config: Config = {
    env: nodeEnv,
    logLevel: oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    databaseUrl: url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/ringwise', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    api: {
      host: str('RINGWISE_API_HOST', '127.0.0.1'),
      port: int('RINGWISE_API_PORT', 3000, 0, 65535),
      bodyLimitBytes: int('RINGWISE_API_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    },
    ari: {
      url: url('ARI_URL', 'http://127.0.0.1:8088', ['http:', 'https:']),
      user: str('ARI_USER', 'ringwise'),
      password: secret('ARI_PASSWORD', 'ringwise-dev'),
      app: str('ARI_APP', `ringwise-${workerId}`),
    },
    ami: {
      host: str('AMI_HOST', '127.0.0.1'),
      port: int('AMI_PORT', 5038, 1, 65535),
      user: str('AMI_USER', 'ringwise'),
      password: secret('AMI_PASSWORD', 'ringwise-dev'),
    },
    dialer: {
      dialTemplate,
      ringTimeoutSeconds: int('RINGWISE_RING_TIMEOUT_SECONDS', 25, 15, 120),
      maxChannels: int('RINGWISE_MAX_CHANNELS', 100, 1, 10_000),
      callsPerSecond: int('RINGWISE_CALLS_PER_SECOND', 10, 1, 1_000),
      workerId,
      menuTimeoutSeconds: int('RINGWISE_MENU_TIMEOUT_SECONDS', 6, 1, 60),
      jobLockMs: int('RINGWISE_JOB_LOCK_MS', 30_000, 1_000, 600_000),
      drainSeconds: int('RINGWISE_DRAIN_SECONDS', 60, 0, 3_600),
      ariTimeoutMs: int('RINGWISE_ARI_TIMEOUT_MS', 10_000, 200, 120_000),
    },
    healing: {
      everyMs: int('RINGWISE_RECONCILE_SECONDS', 5, 1, 300) * 1000,
      reservedTimeoutMs: int('RINGWISE_RESERVED_TIMEOUT_SECONDS', 60, 5, 3_600) * 1000,
      deadWorkerMs: int('RINGWISE_DEAD_WORKER_SECONDS', 30, 5, 3_600) * 1000,
    },
    agents: {
      ringSeconds: int('RINGWISE_AGENT_RING_SECONDS', 10, 3, 120),
      waitSeconds: int('RINGWISE_AGENT_WAIT_SECONDS', 2, 0, 300),
      maxHoldSeconds: int('RINGWISE_AGENT_MAX_HOLD_SECONDS', 60, 1, 1_800),
      pacingRatio: num('RINGWISE_AGENT_PACING_RATIO', 1.0, 0.1, 10),
      callbackDelaySeconds: int('RINGWISE_AGENT_CALLBACK_DELAY_SECONDS', 900, 0, 7 * 24 * 3600),
      maxCallbacks: int('RINGWISE_AGENT_MAX_CALLBACKS', 2, 0, 20),
      wrapUpSeconds: int('RINGWISE_WRAP_UP_SECONDS', 15, 0, 3600),
      context: str('RINGWISE_AGENT_CONTEXT', 'ringwise-agents'),
      sipRealm: str('RINGWISE_SIP_REALM', 'ringwise'),
    },
    queuePrefix: str('RINGWISE_QUEUE_PREFIX', 'ringwise'),
    defaultRegion,
    policyProfile: oneOf('RINGWISE_POLICY_PROFILE', 'cn-bank', profileNames()),
    bank: {
      name: str('RINGWISE_BANK_NAME', 'Ringwise Demo Bank'),
      callbackNumber: str('RINGWISE_BANK_CALLBACK_NUMBER', '+8695500'),
    },
    paths: {
      promptDir: str('RINGWISE_PROMPT_DIR', '/var/lib/ringwise/prompts'),
      promptDirOnAsterisk: str('RINGWISE_PROMPT_DIR_ON_ASTERISK', '/var/lib/ringwise/prompts'),
      recordingDir: str('RINGWISE_RECORDING_DIR', '/var/spool/asterisk/recording'),
      recordingRetentionDays: int('RINGWISE_RECORDING_RETENTION_DAYS', 90, 1, 3650),
    },
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

function deepFreeze<T>(obj: T): T {
  for (const v of Object.values(obj as object)) {
    if (v && typeof v === 'object') deepFreeze(v);
  }
  return Object.freeze(obj);
}
