import type { RecordedContext } from '../platform/http/request-scope.ts';
import type { Caller } from '../ticketing/caller.ts';

export interface GatewayContext extends RecordedContext {
  caller: Caller;
  /** Forwarded as is to the subgraphs, which verify it again. */
  authorization?: string;
  correlationId: string;
}
