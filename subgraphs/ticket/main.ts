/** Entry point: `tsx subgraphs/ticket/main.ts`, configured by the environment (see README). */
import { runProcess } from '../../platform/lifecycle.ts';
import { loadTicketConfig } from './config.ts';
import { startTicketService } from './service.ts';

await runProcess('ticket', async () => startTicketService(loadTicketConfig(process.env)));
