import type { Caller } from '../ticketing/caller.ts';

export interface GatewayContext {
  caller: Caller;
  /** Forwarded as is to the subgraphs, which verify it again. */
  authorization?: string;
  correlationId: string;
}
