/** Entry point: `tsx subgraphs/reservation/main.ts`, configured by the environment (see README). */
import { runProcess } from '../../platform/lifecycle.ts';
import { loadReservationConfig } from './config.ts';
import { startReservationService } from './service.ts';

await runProcess('reservation', async () => startReservationService(loadReservationConfig(process.env)));
