/** Entry point: `tsx subgraphs/price/main.ts`, configured by the environment (see README). */
import { runProcess } from '../../platform/lifecycle.ts';
import { loadPriceConfig } from './config.ts';
import { startPriceService } from './service.ts';

await runProcess('price', async () => startPriceService(loadPriceConfig(process.env)));
