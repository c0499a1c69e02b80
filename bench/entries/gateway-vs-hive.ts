/**
 * A federated query touching three subgraphs (reservation → ticket → price), through our gateway,
 * through Hive Gateway and through Hive Gateway planning with its Rust query planner
 * (@graphql-hive/router-runtime): same supergraph, same subgraphs, same load, rounds interleaved.
 * The callers take turns among 32 users, as many users reading their own reservations would. All
 * gateways must answer with the same data before anything is measured.
 */
import { isDeepStrictEqual } from 'node:util';
import { graphql, requestBody } from '../../operations/client.ts';
import { MyReservationsJoinedDocument } from '../../operations/documents.generated.ts';
import { describeCpu } from '../support/cpu.ts';
import { ratio, type BenchEntry, type Headline } from '../support/entry.ts';
import { measure } from '../support/load.ts';
import type { ServiceProcess } from '../../system/launcher.ts';

export const gatewayVsHive: BenchEntry = {
  name: 'gateway-vs-hive',
  title:
    'Federated query (`myReservations` → ticket → price): our gateway vs Hive Gateway, with its JavaScript and its Rust query planner',
  async run({ stack, load, log }) {
    const tokens = stack.readers.map((reader) => reader.token);
    let rustPlanner: ServiceProcess | undefined;
    let rustPlannerMissing: string | undefined;
    try {
      rustPlanner = await stack.startService({
        name: 'hive-gateway-rust-planner',
        entry: 'bench/hive-gateway.ts',
        env: { ...stack.gatewayEnv, HIVE_RUST_QUERY_PLANNER: 'true' },
      });
    } catch (error) {
      // The process's own error line ("Error: Cannot find module …"), not the launcher's stack.
      const message = (error as Error).message;
      rustPlannerMissing = `did not start: ${/^\w*Error: .*$/m.exec(message)?.[0] ?? message.split('\n')[0]}`;
      log(`gateway-vs-hive: Hive Gateway with the Rust query planner ${rustPlannerMissing}`);
    }
    const gateways = [
      { label: 'our gateway, federated', service: stack.gateway },
      { label: 'Hive Gateway, federated', service: stack.hiveGateway },
      ...(rustPlanner ? [{ label: 'Hive Gateway, Rust query planner, federated', service: rustPlanner }] : []),
    ];
    const answers = await Promise.all(
      gateways.map(({ service }) => graphql(service.url, MyReservationsJoinedDocument, { token: tokens[0] })),
    );
    const differing = answers.findIndex((answer) => !isDeepStrictEqual(answer, answers[0]));
    if (answers[0]!.errors || differing >= 0) {
      throw new Error(
        `the gateways answer differently:\nours: ${JSON.stringify(answers[0])}\n` +
          `${gateways[Math.max(differing, 0)]!.label}: ${JSON.stringify(answers[Math.max(differing, 0)])}`,
      );
    }
    const body = requestBody(MyReservationsJoinedDocument);
    const measured = await measure(
      gateways.map(({ label, service }) => ({ label, url: service.url, pid: service.pid, body, tokens })),
      load,
      {
        watch: [
          ...stack.watched(),
          { name: 'Hive Gateway', pid: stack.hiveGateway.pid, peer: true },
          ...(rustPlanner ? [{ name: 'Hive Gateway (Rust planner)', pid: rustPlanner.pid, peer: true }] : []),
        ],
      },
    );
    await rustPlanner?.stop();
    const [ours, hive, rust] = measured;
    const rustHeadline: Headline = {
      name: 'ours_vs_hive_gateway_rust_planner',
      label: 'our gateway / Hive Gateway with its Rust query planner, federated req/s',
      value: rust ? ratio(ours!.requestsPerSecond, rust.requestsPerSecond) : null,
      unit: 'ratio',
      ...(rust ? {} : { unavailable: `Hive Gateway with @graphql-hive/router-runtime ${rustPlannerMissing}` }),
    };
    return {
      headlines: [
        {
          name: 'ours_vs_hive_gateway',
          label: 'our gateway / Hive Gateway, federated req/s',
          value: ratio(ours!.requestsPerSecond, hive!.requestsPerSecond),
          unit: 'ratio',
        },
        rustHeadline,
      ],
      rows: measured.map((m) => ({ ...m, note: describeCpu(m.cpu) })),
      raw: {
        federated_rps: ours!.requestsPerSecond,
        federated_p50_ms: ours!.p50Ms,
        federated_p99_ms: ours!.p99Ms,
        federated_cpu_ms_per_request: ours!.cpuMsPerRequest ?? null,
        hive_federated_rps: hive!.requestsPerSecond,
        hive_federated_p50_ms: hive!.p50Ms,
        hive_federated_p99_ms: hive!.p99Ms,
        hive_federated_cpu_ms_per_request: hive!.cpuMsPerRequest ?? null,
        hive_rust_planner_federated_rps: rust?.requestsPerSecond ?? null,
        hive_rust_planner_federated_p50_ms: rust?.p50Ms ?? null,
        hive_rust_planner_federated_p99_ms: rust?.p99Ms ?? null,
        hive_rust_planner_federated_cpu_ms_per_request: rust?.cpuMsPerRequest ?? null,
      },
    };
  },
};
