/**
 * What the gateway costs on a query one subgraph answers alone: the same anonymous query straight
 * to the ticket subgraph, through our gateway and through Hive Gateway, rounds interleaved.
 * A fourth target shows Hive Gateway with its default in-flight deduplication, which answers
 * identical concurrent requests with one subgraph call (see bench/hive-gateway.ts).
 */
import { requestBody } from '../../operations/client.ts';
import { TicketListDocument } from '../../operations/documents.generated.ts';
import { ratio, type BenchEntry } from '../support/entry.ts';
import { measure } from '../support/load.ts';

export const gatewayVsDirect: BenchEntry = {
  name: 'gateway-vs-direct',
  title: 'Gateway vs direct subgraph (single-subgraph query: `tickets(first: 20)`, anonymous)',
  async run({ stack, load }) {
    const body = requestBody(TicketListDocument);
    const ticket = stack.subgraphs.ticket!;
    const hiveDeduplicating = await stack.startService({
      name: 'hive-gateway-deduplicating',
      entry: 'bench/hive-gateway.ts',
      env: { ...stack.gatewayEnv, HIVE_DEDUPLICATE_INFLIGHT: 'true' },
    });
    const [direct, ours, hive, hiveDeduplicated] = await measure(
      [
        { label: 'ticket subgraph, direct', url: ticket.url, pid: ticket.pid, body },
        { label: 'our gateway', url: stack.gateway.url, pid: stack.gateway.pid, body },
        { label: 'Hive Gateway', url: stack.hiveGateway.url, pid: stack.hiveGateway.pid, body },
        {
          label: 'Hive Gateway, in-flight deduplication on (its default)',
          url: hiveDeduplicating.url,
          pid: hiveDeduplicating.pid,
          body,
        },
      ],
      load,
    );
    await hiveDeduplicating.stop();
    return {
      headlines: [
        {
          name: 'gateway_vs_direct',
          label: 'our gateway / direct subgraph, req/s',
          value: ratio(ours!.requestsPerSecond, direct!.requestsPerSecond),
          unit: 'ratio',
        },
      ],
      rows: [
        direct!,
        ours!,
        hive!,
        {
          ...hiveDeduplicated!,
          note: 'concurrent identical requests share one subgraph call: not comparable with the rows above',
        },
      ],
      raw: {
        direct_rps: direct!.requestsPerSecond,
        direct_p50_ms: direct!.p50Ms,
        direct_p99_ms: direct!.p99Ms,
        gateway_rps: ours!.requestsPerSecond,
        gateway_p50_ms: ours!.p50Ms,
        gateway_p99_ms: ours!.p99Ms,
        gateway_cpu_ms_per_request: ours!.cpuMsPerRequest ?? null,
        hive_gateway_rps: hive!.requestsPerSecond,
        hive_gateway_p50_ms: hive!.p50Ms,
        hive_gateway_p99_ms: hive!.p99Ms,
        hive_gateway_cpu_ms_per_request: hive!.cpuMsPerRequest ?? null,
        hive_gateway_vs_direct: ratio(hive!.requestsPerSecond, direct!.requestsPerSecond),
        hive_gateway_deduplicating_rps: hiveDeduplicated!.requestsPerSecond,
      },
    };
  },
};
