/** After the integration tests, failed or not: the run's templates dropped, its own servers stopped and removed. */
import { endTestRun } from './test-run.ts';

export default async function globalTeardown(): Promise<void> {
  await endTestRun();
}
