/**
 * Why the gateway is built the way it is: each optimisation undone in a gateway of its own, on the
 * federated query, interleaved with the gateway as shipped. Plus what compression and automatic
 * persisted queries would save on this API's responses and requests.
 */
import { gzipSync, brotliCompressSync, constants as zlib } from 'node:zlib';
import { graphql, operationText, requestBody } from '../../operations/client.ts';
import { MyReservationsJoinedDocument, TicketListDocument } from '../../operations/documents.generated.ts';
import { ratio, type BenchEntry, type MeasurementRow } from '../support/entry.ts';
import { measure, type Measurement } from '../support/load.ts';

export const gatewayOptimisations: BenchEntry = {
  name: 'gateway-optimisations',
  title: 'Gateway optimisations, each undone (federated query)',
  async run({ stack, load }) {
    const tokens = stack.readers.map((reader) => reader.token);
    const [nodeFetch, noTokenCache, fresh] = await Promise.all([
      stack.startService({
        name: 'gateway-node-fetch',
        entry: 'bench/gateway-with-node-fetch.ts',
        env: stack.gatewayEnv,
      }),
      stack.startService({
        name: 'gateway-no-token-cache',
        entry: 'gateway/main.ts',
        env: { ...stack.gatewayEnv, VERIFIED_TOKEN_CACHE_SIZE: '0' },
      }),
      // Its own process, so the thousands of one-off plans it caches do not crowd the shipped gateway's.
      stack.startService({ name: 'gateway-new-operations', entry: 'gateway/main.ts', env: stack.gatewayEnv }),
    ]);
    let sequence = 0;
    // A new operation text each time: parsing, validation, limits and the query plan are redone.
    const federated = operationText(MyReservationsJoinedDocument);
    const uncachedBody = () =>
      JSON.stringify({
        query: federated.replace('query MyReservationsJoined', `query MyReservationsJoined${sequence++}`),
      });
    const body = requestBody(MyReservationsJoinedDocument);
    const [shipped, withNodeFetch, withoutTokenCache, uncached] = await measure(
      [
        { label: 'as shipped', url: stack.gateway.url, pid: stack.gateway.pid, body, tokens },
        { label: 'subgraphs called with Node fetch (undici)', url: nodeFetch.url, pid: nodeFetch.pid, body, tokens },
        {
          label: 'every token verified (no verified-token cache)',
          url: noTokenCache.url,
          pid: noTokenCache.pid,
          body,
          tokens,
        },
        {
          label: 'every operation new (document and query-plan caches miss)',
          url: fresh.url,
          pid: fresh.pid,
          body: uncachedBody,
          tokens,
        },
      ],
      load,
    );
    await Promise.all([nodeFetch.stop(), noTokenCache.stop(), fresh.stop()]);

    // The federated query's throughput is bound by the subgraphs; the gateway's own CPU per request
    // is where an optimisation of the gateway shows.
    const versusShipped = (undone: Measurement) =>
      `${ratio(undone.cpuMsPerRequest ?? Number.NaN, shipped!.cpuMsPerRequest ?? Number.NaN)}× the gateway CPU ` +
      `per request of the shipped gateway, ${ratio(undone.requestsPerSecond, shipped!.requestsPerSecond)}× its req/s`;
    const rows: MeasurementRow[] = [
      shipped!,
      { ...withNodeFetch!, note: versusShipped(withNodeFetch!) },
      { ...withoutTokenCache!, note: versusShipped(withoutTokenCache!) },
      { ...uncached!, note: versusShipped(uncached!) },
    ];
    const responses = await sampleResponses(stack.gateway.url, tokens[0]!);
    const compression = responses.map(measureCompression);
    const apq = persistedQuerySaving();
    return {
      headlines: [],
      rows,
      raw: {
        shipped_rps: shipped!.requestsPerSecond,
        node_fetch_rps: withNodeFetch!.requestsPerSecond,
        no_token_cache_rps: withoutTokenCache!.requestsPerSecond,
        uncached_operation_rps: uncached!.requestsPerSecond,
        shipped_cpu_ms_per_request: shipped!.cpuMsPerRequest ?? null,
        node_fetch_cpu_ms_per_request: withNodeFetch!.cpuMsPerRequest ?? null,
        no_token_cache_cpu_ms_per_request: withoutTokenCache!.cpuMsPerRequest ?? null,
        uncached_operation_cpu_ms_per_request: uncached!.cpuMsPerRequest ?? null,
        ...Object.fromEntries(
          compression.flatMap((c) => [
            [`${c.name}_response_bytes`, c.bytes],
            [`${c.name}_gzip_bytes`, c.gzipBytes],
            [`${c.name}_gzip_ms`, c.gzipMs],
            [`${c.name}_brotli_bytes`, c.brotliBytes],
            [`${c.name}_brotli_ms`, c.brotliMs],
          ]),
        ),
        apq_full_request_bytes: apq.fullBytes,
        apq_hash_only_request_bytes: apq.hashOnlyBytes,
      },
      notes: [
        ...compression.map(
          (c) =>
            `Compression, ${c.name} response (${c.bytes} B): gzip level 1 → ${c.gzipBytes} B in ${c.gzipMs.toFixed(3)} ms, ` +
            `brotli quality 4 → ${c.brotliBytes} B in ${c.brotliMs.toFixed(3)} ms of CPU per response.`,
        ),
        `Compression is off: these responses are a few KiB, so on a LAN or loopback the bytes saved take less time ` +
          `than compressing them, and the CPU would come out of the gateway's per-request budget (CPU ms/req above). ` +
          `Behind a CDN or a reverse proxy that compresses for slow clients, it belongs there.`,
        `Automatic persisted queries (Apollo Server's default, in memory): the federated request is ${apq.fullBytes} B ` +
          `with its query and ${apq.hashOnlyBytes} B with only the hash; they save upload bytes, not server CPU ` +
          `(documents are cached either way), so they matter on mobile networks, not here.`,
      ],
    };
  },
};

async function sampleResponses(gatewayUrl: string, token: string): Promise<{ name: string; body: string }[]> {
  const federated = await graphql(gatewayUrl, MyReservationsJoinedDocument, { token });
  const list = await graphql(gatewayUrl, TicketListDocument);
  return [
    { name: 'federated', body: JSON.stringify({ data: federated.data }) },
    { name: 'ticket_list', body: JSON.stringify({ data: list.data }) },
  ];
}

function measureCompression({ name, body }: { name: string; body: string }) {
  const input = Buffer.from(body);
  const time = (work: () => Buffer) => {
    const runs = 200;
    let output = work();
    const started = performance.now();
    for (let i = 0; i < runs; i++) output = work();
    return { ms: (performance.now() - started) / runs, bytes: output.length };
  };
  const gzip = time(() => gzipSync(input, { level: 1 }));
  const brotli = time(() => brotliCompressSync(input, { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } }));
  return {
    name,
    bytes: input.length,
    gzipBytes: gzip.bytes,
    gzipMs: gzip.ms,
    brotliBytes: brotli.bytes,
    brotliMs: brotli.ms,
  };
}

function persistedQuerySaving() {
  const full = requestBody(MyReservationsJoinedDocument);
  const hashOnly = JSON.stringify({
    extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } },
  });
  return { fullBytes: Buffer.byteLength(full), hashOnlyBytes: Buffer.byteLength(hashOnly) };
}
