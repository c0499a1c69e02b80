/**
 * How many subscriptions a connection and a caller (a user, or a client address when
 * anonymous) may hold at once in this gateway replica. Over either, a new subscription is
 * refused with TOO_MANY_SUBSCRIPTIONS; the ones already running go on.
 */
export interface SubscriptionLimitConfig {
  perConnection: number;
  perCaller: number;
}

export interface Connection {
  /** Subscriptions running on this connection. */
  active: number;
}

export type Admission = { admitted: true; release(): void } | { admitted: false; reason: string };

export function createSubscriptionLimits(config: SubscriptionLimitConfig) {
  const byCaller = new Map<string, number>();
  return {
    admit(callerKey: string, connection: Connection): Admission {
      if (connection.active >= config.perConnection) {
        return { admitted: false, reason: `at most ${config.perConnection} subscriptions per connection` };
      }
      const held = byCaller.get(callerKey) ?? 0;
      if (held >= config.perCaller) {
        return { admitted: false, reason: `at most ${config.perCaller} subscriptions per caller` };
      }
      connection.active++;
      byCaller.set(callerKey, held + 1);
      let released = false;
      return {
        admitted: true,
        release() {
          if (released) return;
          released = true;
          connection.active--;
          const left = (byCaller.get(callerKey) ?? 1) - 1;
          if (left > 0) byCaller.set(callerKey, left);
          else byCaller.delete(callerKey);
        },
      };
    },
  };
}

export type SubscriptionLimits = ReturnType<typeof createSubscriptionLimits>;
