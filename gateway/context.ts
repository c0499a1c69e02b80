import type { Caller } from '../platform/auth/caller.ts';

export interface GatewayContext {
  caller: Caller;
  /** Forwarded as is to the subgraphs, which verify it again. */
  authorization?: string;
  correlationId: string;
}
