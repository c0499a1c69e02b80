/**
 * `npm start`: the whole supergraph on one machine. Each subgraph gets an embedded PostgreSQL of
 * its own (unless <SUBGRAPH>_DATABASE_URL is set), migrated on start; NATS comes from NATS_URL,
 * and when nothing answers there a local nats-server with JetStream is started if one is
 * installed. Demo tickets are registered on first start. Ctrl-C stops everything.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const root = path.resolve(import.meta.dirname, '..');
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

interface ProcessSpec {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string | undefined>;
}

// Variables meant for one process must not leak into all of them.
const { DATABASE_URL: _db, PORT: _port, ...sharedEnv } = process.env;

const specs: ProcessSpec[] = [
  { name: 'ticket', entry: 'subgraphs/ticket/main.ts', port: 4001, env: { DATABASE_URL: process.env.TICKET_DATABASE_URL, SEED_DEMO_DATA: 'true' } },
  { name: 'reservation', entry: 'subgraphs/reservation/main.ts', port: 4002, env: { DATABASE_URL: process.env.RESERVATION_DATABASE_URL } },
  { name: 'price', entry: 'subgraphs/price/main.ts', port: 4003, env: { DATABASE_URL: process.env.PRICE_DATABASE_URL } },
];
const gatewaySpec: ProcessSpec = { name: 'gateway', entry: 'gateway/main.ts', port: 4000, env: {} };

const children = new Map<string, ChildProcess>();
let natsServer: ChildProcess | undefined;
let stopping = false;

function say(message: string): void {
  process.stderr.write(`[start] ${message}\n`);
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function ensureNats(): Promise<void> {
  const url = new URL(natsUrl.replace(/^nats:/, 'http:'));
  const host = url.hostname;
  const port = Number(url.port || 4222);
  if (await canConnect(host, port)) return say(`using NATS at ${natsUrl}`);
  const installed = spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!installed) {
    say(`nothing answers at ${natsUrl} (NATS_URL) and nats-server is not installed.`);
    say('Install it (Debian/Ubuntu: `apt-get install nats-server`; macOS: `brew install nats-server`;');
    say('or `docker run -p 4222:4222 nats:2.10 -js`) and run `npm start` again.');
    process.exit(1);
  }
  const storeDir = path.join(root, '.data/nats');
  mkdirSync(storeDir, { recursive: true });
  say(`starting nats-server with JetStream on ${host}:${port} (store: .data/nats)`);
  natsServer = spawn('nats-server', ['-js', '-a', host, '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (await canConnect(host, port)) return;
    await sleep(100);
  }
  say('nats-server did not come up');
  process.exit(1);
}

function ensurePrismaClients(): void {
  if (['ticket', 'reservation', 'price'].every((s) => existsSync(path.join(root, 'prisma', s, 'client/client.ts')))) return;
  say('generating Prisma clients');
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/prisma.ts', 'generate'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(1);
}

function launch(spec: ProcessSpec): void {
  const child = spawn(process.execPath, ['--import', 'tsx', spec.entry], {
    cwd: root,
    stdio: 'inherit',
    env: { ...sharedEnv, NATS_URL: natsUrl, PORT: String(spec.port), ...spec.env },
  });
  children.set(spec.name, child);
  child.on('exit', (code, signal) => {
    children.delete(spec.name);
    if (!stopping) {
      say(`${spec.name} exited (${signal ?? `code ${code}`}); stopping everything`);
      void stopAll(1);
    }
  });
}

async function waitUntilReady(spec: ProcessSpec, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const response = await fetch(`http://127.0.0.1:${spec.port}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  say(`${spec.name} was not ready within ${timeoutMs / 1000} s`);
  await stopAll(1);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const exits = [...children.values()].map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children.values()) child.kill('SIGTERM');
  await Promise.race([Promise.all(exits), sleep(30_000)]);
  natsServer?.kill('SIGTERM');
  process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

ensurePrismaClients();
await ensureNats();
for (const spec of specs) launch(spec);
await Promise.all(specs.map((spec) => waitUntilReady(spec)));
launch(gatewaySpec);
await waitUntilReady(gatewaySpec);
if (!stopping) {
  process.stderr.write(`
  Ticketing supergraph is up.

    Apollo Sandbox   http://localhost:4000
    GraphQL          POST http://localhost:4000/graphql
    Subgraphs        ticket :4001  reservation :4002  price :4003

  Get a token (paste into Sandbox's Authorization header as "Bearer <token>"):
    npm run -s token -- --sub alice --role USER --grade VIP
    npm run -s token -- --sub admin --role ADMIN

  Ctrl-C stops everything.
`);
}
