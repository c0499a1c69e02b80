/**
 * Users pressing "reserve", as the flash-sale entries send them: one reserveTicket per user with
 * the user's own token, each on a connection of its own (as a browser reaching the gateway) or
 * over connections kept alive (as an ingress in front of the gateway holds them).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestBody } from '../../operations/client.ts';
import { ReserveTicketStatusDocument } from '../../operations/documents.generated.ts';
import { issueUserToken } from '../../platform/auth/tokens.ts';
import type { AuthConfig } from '../../platform/config.ts';
import type { UserGrade } from '../../ticketing/caller.ts';

export const REQUEST_TIMEOUT_MS = 30_000;

export interface PressAnswer {
  /** A reservation id when this user won the seat. */
  reservationId?: string;
  /** The GraphQL error code, `HTTP <status>` or the network error of an answer that is not a win. */
  code?: string;
}

/**
 * A token of their own for each of `count` users (`<prefix>-<user>`, role USER), valid for an hour:
 * no process has seen any of them, as in a sale where every press is a new user's.
 */
export function usersTokens(
  auth: AuthConfig,
  prefix: string,
  count: number,
  gradeOf: (user: number) => UserGrade = () => 'NORMAL',
): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, (_, user) =>
      issueUserToken(auth, { sub: `${prefix}-${user}`, roles: ['USER'], grade: gradeOf(user) }, { expiresIn: '1h' }),
    ),
  );
}

/** Connections kept alive and reused, as an ingress or load balancer holds them to the gateway. */
export function keptAliveConnections(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });
}

/** One reserveTicket: on a connection of its own unless `agent` keeps connections alive. */
export function reserve(url: URL, token: string, ticketId: string, agent: http.Agent | false = false) {
  const body = requestBody(ReserveTicketStatusDocument, { ticketId });
  return new Promise<PressAnswer>((resolve) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            const result = JSON.parse(text) as {
              data?: { reserveTicket?: { id: string } | null } | null;
              errors?: { extensions?: { code?: string } }[];
            };
            const reservationId = result.data?.reserveTicket?.id;
            if (response.statusCode === 200 && reservationId && !result.errors) resolve({ reservationId });
            else resolve({ code: String(result.errors?.[0]?.extensions?.code ?? `HTTP ${response.statusCode}`) });
          } catch {
            resolve({ code: `HTTP ${response.statusCode}` });
          }
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ code: `network: ${error.code ?? error.message}` }));
    request.end(body);
  });
}

/** Each user's press, the first presses spread evenly over `arrivalS` seconds from now. */
export function onSchedule<T>(
  tokens: string[],
  arrivalS: number,
  press: (token: string, user: number) => Promise<T>,
): Promise<T>[] {
  return tokens.map(async (token, user) => {
    await sleep((user / tokens.length) * arrivalS * 1000);
    return press(token, user);
  });
}

/** Each token presses once on the ticket, `concurrency` at a time; every answer must be a refusal. */
export async function refusedInTurns(
  url: URL,
  tokens: string[],
  ticketId: string,
  options: { concurrency: number; agent?: http.Agent | false },
): Promise<void> {
  let next = 0;
  const presser = async () => {
    while (next < tokens.length) {
      const { code } = await reserve(url, tokens[next++]!, ticketId, options.agent);
      if (code !== 'TICKET_NOT_AVAILABLE') throw new Error(`warm-up press: expected TICKET_NOT_AVAILABLE, got ${code}`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, presser));
}

export interface CannedServer {
  url: URL;
  pid: number;
  stop(): void;
}

/**
 * A bare node:http server in a process of its own, answering every request with what
 * `answerSource` (the body of a JavaScript function of the request's text) returns, as JSON.
 */
export async function startCannedServer(answerSource: string): Promise<CannedServer> {
  const program = `
    const http = require('node:http');
    const answer = (text) => { ${answerSource} };
    const server = http.createServer((request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        const body = JSON.stringify(answer(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        response.end(body);
      });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
  `;
  const server = spawn(process.execPath, ['-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(server.stdout!.setEncoding('utf8'), 'data')) as [string];
  return {
    url: new URL(`http://127.0.0.1:${line.trim()}/graphql`),
    pid: server.pid!,
    stop: () => server.kill('SIGKILL'),
  };
}
