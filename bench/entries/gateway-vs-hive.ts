/**
 * A federated query touching three subgraphs (reservation → ticket → price), through our gateway
 * and through Hive Gateway: same supergraph, same subgraphs, same load, rounds interleaved. The
 * callers take turns among 32 users, as many users reading their own reservations would. Both
 * gateways must answer with the same data before anything is measured.
 */
import { isDeepStrictEqual } from 'node:util';
import { graphql, requestBody } from '../../operations/client.ts';
import { MyReservationsJoinedDocument } from '../../operations/documents.generated.ts';
import { ratio, type BenchEntry } from '../support/entry.ts';
import { describeCpu, measure } from '../support/load.ts';

export const gatewayVsHive: BenchEntry = {
  name: 'gateway-vs-hive',
  title: 'Federated query (`myReservations` → ticket → price): our gateway vs Hive Gateway',
  async run({ stack, load }) {
    const tokens = stack.readers.map((reader) => reader.token);
    const [ours, hive] = await Promise.all(
      [stack.gateway.url, stack.hiveGateway.url].map((url) =>
        graphql(url, MyReservationsJoinedDocument, { token: tokens[0] }),
      ),
    );
    if (!isDeepStrictEqual(ours, hive) || ours!.errors) {
      throw new Error(`the gateways answer differently:\nours: ${JSON.stringify(ours)}\nhive: ${JSON.stringify(hive)}`);
    }
    const body = requestBody(MyReservationsJoinedDocument);
    const [oursMeasured, hiveMeasured] = await measure(
      [
        { label: 'our gateway, federated', url: stack.gateway.url, pid: stack.gateway.pid, body, tokens },
        { label: 'Hive Gateway, federated', url: stack.hiveGateway.url, pid: stack.hiveGateway.pid, body, tokens },
      ],
      load,
      { watch: [...stack.watched(), { name: 'Hive Gateway', pid: stack.hiveGateway.pid }] },
    );
    return {
      headlines: [
        {
          name: 'ours_vs_hive_gateway',
          label: 'our gateway / Hive Gateway, federated req/s',
          value: ratio(oursMeasured!.requestsPerSecond, hiveMeasured!.requestsPerSecond),
          unit: 'ratio',
          atLeast: 1.0,
        },
      ],
      rows: [oursMeasured!, hiveMeasured!].map((m) => ({ ...m, note: describeCpu(m.cpuMsPerRequestOf) })),
      raw: {
        federated_rps: oursMeasured!.requestsPerSecond,
        federated_p50_ms: oursMeasured!.p50Ms,
        federated_p99_ms: oursMeasured!.p99Ms,
        federated_cpu_ms_per_request: oursMeasured!.cpuMsPerRequest ?? null,
        hive_federated_rps: hiveMeasured!.requestsPerSecond,
        hive_federated_p50_ms: hiveMeasured!.p50Ms,
        hive_federated_p99_ms: hiveMeasured!.p99Ms,
        hive_federated_cpu_ms_per_request: hiveMeasured!.cpuMsPerRequest ?? null,
      },
    };
  },
};
