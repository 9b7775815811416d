// Prints the API's OpenAPI document (what /docs/json serves) without a database or a port:
//   node --import tsx scripts/openapi.ts > openapi.json
import process from 'node:process';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/shared/logger.js';
import { createPool } from '../src/store/db.js';

const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent' });
const db = createPool(config.databaseUrl); // never queried: building the app reads nothing
const app = await buildApp({ config, log: createLogger('silent'), db, readiness: {} });
await app.ready();
process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
await app.close();
await db.end();
