import { hostname, tmpdir } from 'node:os';
import { ConfigError } from './shared/errors.js';
import { profileNames } from './compliance/policy.profiles.js';
import { parseAsteriskServers, type AsteriskServerConfig } from './config.servers.js';
import { parseWebrtc, type WebrtcConfig } from './config.webrtc.js';
import { IANAZone } from 'luxon';
import { cronProblem } from './schedules/schedule.time.js';
import { DEFAULT_SCORECARD, parseWeights, type ScorecardSettings } from './risk/scorecard.js';

export type { AsteriskServerConfig } from './config.servers.js';
export type { WebrtcConfig } from './config.webrtc.js';

/**
 * The only reader of the environment. Everything is validated once at boot, every problem is
 * reported together, and the result is frozen and passed down explicitly.
 */
export interface Config {
  readonly env: 'production' | 'development' | 'test';
  readonly logLevel: string;
  readonly databaseUrl: string;
  /** Parameterised statements as named prepared statements (off behind a pooler that cannot keep them). */
  readonly pgPrepare: boolean;
  readonly redisUrl: string;
  /** PEM file of the CA that signed Redis's certificate (rediss:// URLs); null: the system's CAs. */
  readonly redisCaFile: string | null;
  readonly api: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    /** A request (an upload included) must be received whole within this. */
    readonly requestTimeoutSeconds: number;
    /** A connection silent this long is closed (above the 15 s heartbeat of event streams). */
    readonly idleTimeoutSeconds: number;
    /** Imports received or running at once per API process; one more is answered 429. */
    readonly maxConcurrentImports: number;
    /** Where an upload is written whole before it touches the database. */
    readonly importSpoolDir: string;
  };
  /** The operations console at /console: how long a sign-in lasts; Secure cookies even without TLS seen (behind a proxy). */
  readonly console: { readonly sessionHours: number; readonly secureCookie: boolean };
  readonly ari: {
    readonly url: string;
    readonly user: string;
    readonly password: string;
    /** Stasis application name; unique per worker so several workers can share one Asterisk. */
    readonly app: string;
  };
  readonly ami: { readonly host: string; readonly port: number; readonly user: string; readonly password: string };
  /** The Asterisk servers a worker dials through (`ari`/`ami` above are the first, for the API and agents' provisioning). */
  readonly asterisk: { readonly servers: readonly AsteriskServerConfig[] };
  /** The worker's own HTTP endpoint: /healthz, /readyz, /metrics. */
  readonly worker: { readonly httpHost: string; readonly httpPort: number };
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
    /** Transport of agents created without one: `tls` requires SIP over TLS and SRTP (pjsip-tls.conf). */
    readonly defaultSipTransport: 'udp' | 'tls';
    /** Browser softphones (WebRTC agents, the console's agent desk). */
    readonly webrtc: WebrtcConfig;
  };
  /** Prefix of every BullMQ and pacing key in Redis (tests use a random one per file). */
  readonly queuePrefix: string;
  readonly defaultRegion: string;
  readonly policyProfile: string;
  /** contactName: a person to ask for on a voicemail message (Reg F's limited-content message names one). */
  readonly bank: { readonly name: string; readonly callbackNumber: string; readonly contactName: string };
  readonly messaging: {
    /** The SMSC (SMPP 3.4): `smpp://host:port`, the bind's system id and password, and the sender shown to customers. */
    readonly smppUrl: string;
    readonly smppSystemId: string;
    readonly smppPassword: string;
    readonly smsSender: string;
    /** Outgoing mail: `smtp://user:pass@host:port` (or smtps://). */
    readonly smtpUrl: string;
    readonly emailFrom: string;
    /** Where customers reach the API's unsubscribe link, and the key that signs it. */
    readonly publicUrl: string;
    readonly unsubscribeSecret: string;
  };
  readonly risk: {
    /** The behaviour scorecard: weights per factor and tier cut-offs (src/risk/scorecard.ts). */
    readonly scorecard: ScorecardSettings;
    /** When the worker rescores every customer (cron, in `timeZone`). */
    readonly nightlyCron: string;
    readonly timeZone: string;
  };
  readonly paths: {
    /** Where rendered prompts are written (host path). */
    readonly promptDir: string;
    /** The same folder as Asterisk sees it, for `sound:` URIs. */
    readonly promptDirOnAsterisk: string;
    /** Rendered speech (it carries names and amounts) no call has used for this long is deleted by the worker. */
    readonly promptRetentionHours: number;
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
  const url = (key: string, fallback: string | undefined, protocols: string[]): string => {
    const v = str(key, fallback);
    if (v === '') return v;
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

  // Unset means production: a forgotten variable must never turn on the development defaults.
  const nodeEnv = oneOf('NODE_ENV', 'production', ['production', 'development', 'test'] as const);
  const isProd = nodeEnv === 'production';
  // Development defaults match the sandbox; production must say every secret explicitly.
  const secret = (key: string, devDefault: string): string => str(key, isProd ? undefined : devDefault);

  const dialTemplate = str('RINGWISE_DIAL_TEMPLATE', 'PJSIP/{number}@carrier');
  if (!dialTemplate.includes('{number}')) problems.push('RINGWISE_DIAL_TEMPLATE must contain {number}');
  const defaultRegion = str('RINGWISE_DEFAULT_REGION', 'CN').toUpperCase();
  if (!/^[A-Z]{2}$/.test(defaultRegion)) problems.push('RINGWISE_DEFAULT_REGION must be an ISO 3166 alpha-2 code');
  const workerId = str('RINGWISE_WORKER_ID', hostname().replace(/[^A-Za-z0-9_-]/g, '-'));

  const ari = {
    url: url('ARI_URL', 'http://127.0.0.1:8088', ['http:', 'https:']),
    user: str('ARI_USER', 'ringwise'),
    password: secret('ARI_PASSWORD', 'ringwise-dev'),
    app: str('ARI_APP', `ringwise-${workerId}`),
  };
  const ami = {
    host: str('AMI_HOST', '127.0.0.1'),
    port: int('AMI_PORT', 5038, 1, 65535),
    user: str('AMI_USER', 'ringwise'),
    password: secret('AMI_PASSWORD', 'ringwise-dev'),
  };
  const maxChannels = int('RINGWISE_MAX_CHANNELS', 100, 1, 10_000);
  const servers = parseAsteriskServers(
    env.RINGWISE_ASTERISK_SERVERS,
    { name: str('RINGWISE_ASTERISK_NAME', 'asterisk-1'), ari, ami, capacity: maxChannels },
    problems,
  );

  const config: Config = {
    env: nodeEnv,
    logLevel: oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    databaseUrl: url('DATABASE_URL', isProd ? undefined : 'postgres://postgres@127.0.0.1:5432/ringwise', ['postgres:', 'postgresql:']),
    pgPrepare: oneOf('RINGWISE_PG_PREPARE', 'true', ['true', 'false'] as const) === 'true',
    redisUrl: url('REDIS_URL', isProd ? undefined : 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    redisCaFile: str('REDIS_TLS_CA_FILE', '') || null,
    api: {
      host: str('RINGWISE_API_HOST', '127.0.0.1'),
      port: int('RINGWISE_API_PORT', 3000, 0, 65535),
      bodyLimitBytes: int('RINGWISE_API_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
      requestTimeoutSeconds: int('RINGWISE_API_REQUEST_TIMEOUT_SECONDS', 600, 1, 86_400),
      idleTimeoutSeconds: int('RINGWISE_API_IDLE_TIMEOUT_SECONDS', 30, 1, 3_600),
      maxConcurrentImports: int('RINGWISE_API_MAX_IMPORTS', 2, 1, 64),
      importSpoolDir: str('RINGWISE_API_SPOOL_DIR', tmpdir()),
    },
    console: {
      sessionHours: num('RINGWISE_CONSOLE_SESSION_HOURS', 8, 0.01, 24 * 30),
      secureCookie: oneOf('RINGWISE_CONSOLE_SECURE_COOKIE', 'false', ['true', 'false'] as const) === 'true',
    },
    ari: { ...ari, ...(env.RINGWISE_ASTERISK_SERVERS ? { url: servers[0]!.ari.url, user: servers[0]!.ari.user, password: servers[0]!.ari.password } : {}) },
    ami: env.RINGWISE_ASTERISK_SERVERS ? servers[0]!.ami : ami,
    asterisk: { servers },
    worker: {
      httpHost: str('RINGWISE_WORKER_HTTP_HOST', '127.0.0.1'),
      httpPort: int('RINGWISE_WORKER_HTTP_PORT', 3001, 0, 65535),
    },
    dialer: {
      dialTemplate,
      ringTimeoutSeconds: int('RINGWISE_RING_TIMEOUT_SECONDS', 25, 15, 120),
      maxChannels,
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
      defaultSipTransport: oneOf('RINGWISE_AGENT_SIP_TRANSPORT', 'udp', ['udp', 'tls'] as const),
      webrtc: parseWebrtc(
        {
          wsUrl: url('RINGWISE_WEBRTC_WS_URL', '', ['ws:', 'wss:']),
          iceServers: str('RINGWISE_WEBRTC_ICE_SERVERS', ''),
          dtlsCertFile: str('RINGWISE_WEBRTC_DTLS_CERT_FILE', ''),
          dtlsKeyFile: str('RINGWISE_WEBRTC_DTLS_KEY_FILE', ''),
        },
        problems,
      ),
    },
    queuePrefix: str('RINGWISE_QUEUE_PREFIX', 'ringwise'),
    defaultRegion,
    policyProfile: oneOf('RINGWISE_POLICY_PROFILE', 'cn-bank', profileNames()),
    bank: {
      name: str('RINGWISE_BANK_NAME', 'Ringwise Demo Bank'),
      callbackNumber: str('RINGWISE_BANK_CALLBACK_NUMBER', '+8695500'),
      contactName: str('RINGWISE_BANK_CONTACT_NAME', ''),
    },
    messaging: {
      smppUrl: url('RINGWISE_SMPP_URL', 'smpp://127.0.0.1:2775', ['smpp:', 'ssmpp:']),
      smppSystemId: str('RINGWISE_SMPP_SYSTEM_ID', 'ringwise'),
      smppPassword: secret('RINGWISE_SMPP_PASSWORD', 'sandbox1'),
      smsSender: str('RINGWISE_SMS_SENDER', '95500'),
      smtpUrl: url('RINGWISE_SMTP_URL', 'smtp://127.0.0.1:2525', ['smtp:', 'smtps:']),
      emailFrom: str('RINGWISE_EMAIL_FROM', 'Ringwise Demo Bank <reminders@bank.example>'),
      publicUrl: url('RINGWISE_PUBLIC_URL', 'http://127.0.0.1:3000', ['http:', 'https:']),
      unsubscribeSecret: secret('RINGWISE_UNSUBSCRIBE_SECRET', 'ringwise-dev-unsubscribe'),
    },
    risk: {
      scorecard: {
        weights: parseWeights(str('RINGWISE_SCORECARD_WEIGHTS', ''), problems, 'RINGWISE_SCORECARD_WEIGHTS'),
        base: int('RINGWISE_SCORECARD_BASE', DEFAULT_SCORECARD.base, 0, 100),
        tiers: {
          medium: int('RINGWISE_RISK_TIER_MEDIUM', DEFAULT_SCORECARD.tiers.medium, 1, 100),
          high: int('RINGWISE_RISK_TIER_HIGH', DEFAULT_SCORECARD.tiers.high, 1, 100),
        },
      },
      nightlyCron: str('RINGWISE_RISK_NIGHTLY_CRON', '30 2 * * *'),
      timeZone: str('RINGWISE_RISK_TIME_ZONE', 'Asia/Shanghai'),
    },
    paths: {
      promptDir: str('RINGWISE_PROMPT_DIR', '/var/lib/ringwise/prompts'),
      promptDirOnAsterisk: str('RINGWISE_PROMPT_DIR_ON_ASTERISK', '/var/lib/ringwise/prompts'),
      promptRetentionHours: int('RINGWISE_PROMPT_RETENTION_HOURS', 48, 1, 24 * 365),
      recordingDir: str('RINGWISE_RECORDING_DIR', '/var/spool/asterisk/recording'),
      recordingRetentionDays: int('RINGWISE_RECORDING_RETENTION_DAYS', 90, 1, 3650),
    },
  };

  if (!IANAZone.isValidZone(config.risk.timeZone)) problems.push(`RINGWISE_RISK_TIME_ZONE is not an IANA time zone (got "${config.risk.timeZone}")`);
  else {
    const cron = cronProblem(config.risk.nightlyCron, config.risk.timeZone);
    if (cron) problems.push(`RINGWISE_RISK_NIGHTLY_CRON: ${cron}`);
  }
  if (config.risk.scorecard.tiers.medium >= config.risk.scorecard.tiers.high) problems.push('RINGWISE_RISK_TIER_MEDIUM must be below RINGWISE_RISK_TIER_HIGH');
  if (isProd) problems.push(...unsafeInProduction(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** The sandbox's password: known to anyone who read this repository. */
const DEV_PASSWORD = 'ringwise-dev';
const MIN_SECRET_LENGTH = 12;

/** What production refuses to start with: well-known or short secrets, and unauthenticated stores. */
export function unsafeInProduction(c: Config): string[] {
  const out: string[] = [];
  for (const [key, value] of [
    ['ARI_PASSWORD', c.ari.password],
    ['AMI_PASSWORD', c.ami.password],
  ] as const) {
    if (value === '') continue; // already reported as required
    if (value === DEV_PASSWORD || value.length < MIN_SECRET_LENGTH)
      out.push(`${key} must not be the development password nor shorter than ${MIN_SECRET_LENGTH} characters`);
  }
  const parsed = (u: string) => {
    try {
      return new URL(u);
    } catch {
      return null;
    }
  };
  const db = c.databaseUrl ? parsed(c.databaseUrl) : null;
  if (db) {
    // A socket path in ?host= means local peer authentication, which needs no password.
    const socket = (db.searchParams.get('host') ?? '').startsWith('/');
    if (decodeURIComponent(db.username || 'postgres') === 'postgres')
      out.push('DATABASE_URL must not use the postgres superuser: give ringwise a role of its own');
    if (!db.password && !socket) out.push('DATABASE_URL has no password');
  }
  const redis = c.redisUrl ? parsed(c.redisUrl) : null;
  // Redis carries dial jobs and the agents' customer cards (pub/sub): never without a password.
  if (redis && !redis.password) out.push('REDIS_URL has no password (redis://:PASSWORD@host:6379, or rediss:// for TLS)');
  return out;
}

function deepFreeze<T>(obj: T): T {
  for (const v of Object.values(obj as object)) {
    if (v && typeof v === 'object') deepFreeze(v);
  }
  return Object.freeze(obj);
}
