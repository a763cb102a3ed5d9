// What the @defer programs (defer.ts through urql, apollo.ts through
// Apollo Client) print, one JSON report on stdout: what the request offered
// and the response was (Accept, Content-Type), seen through the fetch the
// client is given, and each result the client yielded, in order: the data
// so far (a deferred field not yet come is absent, not null), the errors so
// far, and whether more follows.

/** An error as a client hands it over: GraphQL's formatted error. */
interface ClientError {
  readonly path?: ReadonlyArray<string | number> | undefined;
  readonly extensions?: { readonly [key: string]: unknown } | undefined;
}

/** One result a client yielded. */
export interface Seen {
  hasNext: boolean;
  dashboard: unknown;
  errors: { path: string; code: string; service: string }[];
  networkError: string;
}

const transport = { accept: "", contentType: "" };

/** The global fetch, noting the request's Accept and the response's Content-Type. */
export const watchingFetch: typeof fetch = async (input, init) => {
  transport.accept = new Headers(init?.headers).get("Accept") ?? "";
  const response = await fetch(input, init);
  transport.contentType = response.headers.get("Content-Type") ?? "";
  return response;
};

/** Notes a result: a copy of its dashboard (clients build the next result from this one) and its errors. */
export function seen(
  hasNext: boolean,
  dashboard: unknown,
  errors: ReadonlyArray<ClientError> = [],
  networkError = "",
): Seen {
  return {
    hasNext,
    dashboard: structuredClone(dashboard ?? null),
    errors: errors.map((e) => ({
      path: e.path?.join(".") ?? "",
      code: String(e.extensions?.["code"] ?? ""),
      service: String(e.extensions?.["service"] ?? ""),
    })),
    networkError,
  };
}

/** Prints the report. */
export function report(results: Seen[]): void {
  console.log(JSON.stringify({ transport, results }));
}
