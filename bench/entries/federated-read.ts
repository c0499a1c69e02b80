/**
 * The federated read at saturation: `myReservations` → ticket → price through our gateway, the
 * callers taking turns among 32 users, and what one request costs in CPU across the system's
 * processes (the gateway and every subgraph), measured from the kernel's accounting of each.
 */
import { requestBody } from '../../operations/client.ts';
import { MyReservationsJoinedDocument } from '../../operations/documents.generated.ts';
import { cpuFigures, describeCpu, NO_CPU_ACCOUNTING, systemCpuMs } from '../support/cpu.ts';
import type { BenchEntry } from '../support/entry.ts';
import { measure } from '../support/load.ts';

export const federatedRead: BenchEntry = {
  name: 'federated-read',
  title: 'Federated read at saturation (`myReservations` → ticket → price, through our gateway)',
  async run({ stack, load }) {
    const [read] = await measure(
      [
        {
          label: 'myReservations → ticket → price',
          url: stack.gateway.url,
          pid: stack.gateway.pid,
          body: requestBody(MyReservationsJoinedDocument),
          tokens: stack.readers.map((reader) => reader.token),
        },
      ],
      load,
      { watch: stack.watched() },
    );
    const cpu = read!.cpu;
    return {
      headlines: [
        {
          name: 'federated_read_per_s',
          label: 'federated reads (`myReservations` → ticket → price) at saturation',
          value: Math.round(read!.requestsPerSecond),
          unit: 'req/s',
        },
        {
          name: 'cpu_ms_per_federated_read',
          label: 'CPU per federated read, across the system’s Node processes',
          value: systemCpuMs(cpu),
          unit: 'ms',
          ...(systemCpuMs(cpu) === null ? { unavailable: NO_CPU_ACCOUNTING } : {}),
        },
      ],
      rows: [{ ...read!, note: describeCpu(cpu) }],
      raw: {
        federated_read_rps: read!.requestsPerSecond,
        federated_read_p50_ms: read!.p50Ms,
        federated_read_p99_ms: read!.p99Ms,
        ...cpuFigures('federated_read', cpu),
      },
    };
  },
};
