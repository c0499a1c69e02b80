/**
 * What the CQRS read model buys: a user's reservations with ticket name, status and price, read
 * as one query of the view subgraph's own store (`reservationBoard`) versus joined at request time
 * across reservation, ticket and price (`myReservations`). Both through our gateway, rounds
 * interleaved, callers taking turns among the same users.
 */
import { graphql, requestBody } from '../../operations/client.ts';
import { MyReservationBoardDocument, MyReservationsJoinedDocument } from '../../operations/documents.generated.ts';
import { ratio, type BenchEntry, type EntryResult } from '../support/entry.ts';
import { describeCpu } from '../support/cpu.ts';
import { measure } from '../support/load.ts';
import { waitFor } from '../support/stack.ts';

export const viewVsFederated: BenchEntry = {
  name: 'view-vs-federated',
  title: 'View (`reservationBoard`) vs federated join (`myReservations` → ticket → price)',
  async run({ stack, load }): Promise<EntryResult> {
    if (!stack.subgraphs.view) {
      return {
        headlines: [
          {
            name: 'view_vs_federated',
            label: 'view / federated join, req/s',
            value: null,
            unit: 'ratio',
            unavailable: `the view subgraph is not running: ${stack.missing.view ?? 'unknown reason'}`,
          },
        ],
        rows: [],
        raw: {},
      };
    }
    const { readers, reservationsPerReader } = stack;
    await waitFor('the view to show the readers’ priced reservations', 60_000, async () => {
      for (const reader of readers) {
        const board = await graphql(stack.gateway.url, MyReservationBoardDocument, { token: reader.token });
        const edges = board.data?.reservationBoard.edges ?? [];
        if (edges.length < reservationsPerReader || edges.some((e) => !e.node.vipDiscount)) return false;
      }
      return true;
    });
    const tokens = readers.map((reader) => reader.token);
    const [view, federated] = await measure(
      [
        {
          label: 'reservationBoard (view subgraph)',
          url: stack.gateway.url,
          pid: stack.gateway.pid,
          body: requestBody(MyReservationBoardDocument),
          tokens,
        },
        {
          label: 'myReservations → ticket → price (federated)',
          url: stack.gateway.url,
          pid: stack.gateway.pid,
          body: requestBody(MyReservationsJoinedDocument),
          tokens,
        },
      ],
      load,
      { watch: stack.watched() },
    );
    return {
      headlines: [
        {
          name: 'view_vs_federated',
          label: 'view / federated join, req/s (through our gateway)',
          value: ratio(view!.requestsPerSecond, federated!.requestsPerSecond),
          unit: 'ratio',
        },
      ],
      rows: [view!, federated!].map((m) => ({ ...m, note: describeCpu(m.cpu) })),
      raw: {
        view_rps: view!.requestsPerSecond,
        view_p50_ms: view!.p50Ms,
        view_p99_ms: view!.p99Ms,
        federated_join_rps: federated!.requestsPerSecond,
        federated_join_p50_ms: federated!.p50Ms,
        federated_join_p99_ms: federated!.p99Ms,
        view_vs_federated_p99: ratio(federated!.p99Ms, view!.p99Ms),
      },
    };
  },
};
