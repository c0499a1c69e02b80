/** GraphQL over HTTP for setting up and checking benchmarks (the load itself goes through autocannon). */
export interface GraphQLResponse<TData> {
  status: number;
  data?: TData | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function graphql<TData>(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string } = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<TData>, 'status'>;
  return { status: response.status, ...body };
}

/** The data of a response that must have succeeded; otherwise an error naming what failed. */
export async function mustQuery<TData>(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string } = {},
): Promise<TData> {
  const result = await graphql<TData>(url, query, options);
  if (result.status !== 200 || result.errors?.length || !result.data) {
    throw new Error(`query to ${url} failed (HTTP ${result.status}): ${JSON.stringify(result.errors ?? result)}`);
  }
  return result.data;
}

/** Runs `work` for each item with at most `concurrency` in flight. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
