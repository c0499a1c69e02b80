/**
 * `npm run view:rebuild`: replays the stream from its first event into a new store in
 * VIEW_DATA_DIR and makes it the current one once complete. A view running on that folder
 * switches to it within a second; one started later opens it. Same environment as the view.
 */
import { startMessaging } from '../../platform/events/messaging.ts';
import { runProcess } from '../../platform/lifecycle.ts';
import { createLogger } from '../../platform/logging.ts';
import { consumerPrefixOf, loadViewConfig } from './config.ts';
import { storeDirectory } from './data/store-directory.ts';
import { rebuildView } from './events/rebuild-view.ts';

await runProcess('view:rebuild', async () => {
  const config = loadViewConfig(process.env);
  const logger = createLogger('view-rebuild', config.logLevel);
  const messaging = await startMessaging(config.nats, `view-rebuild-${config.instanceId}`, logger);
  try {
    const rebuilt = await rebuildView({
      messaging,
      nats: config.nats,
      directory: storeDirectory(config.dataDir),
      consumerPrefix: `${consumerPrefixOf(config)}_rebuild`,
      logger,
    });
    process.stdout.write(`view rebuilt up to stream sequence ${rebuilt.lastAppliedSequence}: ${rebuilt.file}\n`);
  } finally {
    await messaging.stop();
  }
  process.exit(0);
});
