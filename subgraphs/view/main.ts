/** Entry point: `tsx subgraphs/view/main.ts`, configured by the environment (see README). */
import { runProcess } from '../../platform/lifecycle.ts';
import { loadViewConfig } from './config.ts';
import { startViewService } from './service.ts';

await runProcess('view', async () => startViewService(loadViewConfig(process.env)));
