// Retrying writes safely: every POST of the API takes an `Idempotency-Key`
// (draft-ietf-httpapi-idempotency-key-header). Send a fresh key for each logical request and the same
// key with each retry of it: the server runs the request once and answers retries with the first
// response (`Idempotency-Replayed: true`).
//
//   const created = await postWithRetry((key) =>
//     client.POST("/v1/ormas", { ...auth, params: { header: { "Idempotency-Key": key } }, body: draft }));

/** What an openapi-fetch call answers: enough of it to decide whether to retry. */
export interface Answer {
  response: Response;
  error?: unknown;
}

export interface RetryOptions {
  /** Attempts in all, the first included (default 4). */
  attempts?: number;
  /** The key; a fresh UUID by default. Pass one to resume a logical request after a restart. */
  key?: string;
  /** Milliseconds before the first retry, doubled for each next one (default 200). */
  delayMs?: number;
}

export type Retried<T> = T & {
  /** The key sent with every attempt. */
  key: string;
  /** How many requests were sent. */
  attempts: number;
  /** Whether the answer is a replay of an earlier attempt's response. */
  replayed: boolean;
};

/** A fresh key for one logical request. */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

function problemCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** Worth another attempt with the same key: a server error, an unavailable database, or the
 * first attempt still running on the server. Any other answer is final (and kept by the server). */
export function isRetryable(answer: Answer): boolean {
  const status = answer.response.status;
  return status >= 500 || (status === 409 && problemCode(answer.error) === "idempotency_key_in_progress");
}

function waitFor(answer: Answer | undefined, fallbackMs: number): Promise<void> {
  const retryAfter = Number(answer?.response.headers.get("retry-after"));
  const ms = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : fallbackMs;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Sends one logical POST, retrying with the same `Idempotency-Key` after a network failure (the
 * response was lost: the server may have run it) or a retryable answer. `send` gets the key and
 * the attempt number (1, 2, …) and must put the key in the request's `Idempotency-Key` header.
 */
export async function postWithRetry<T extends Answer>(
  send: (key: string, attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<Retried<T>> {
  const key = options.key ?? newIdempotencyKey();
  const attempts = Math.max(1, options.attempts ?? 4);
  let delay = options.delayMs ?? 200;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let answer: T | undefined;
    try {
      answer = await send(key, attempt);
    } catch (error) {
      // A network failure: the request may or may not have reached the server; the key makes the
      // retry safe either way.
      lastError = error;
    }
    if (answer !== undefined && (!isRetryable(answer) || attempt === attempts)) {
      const replayed = answer.response.headers.get("idempotency-replayed") === "true";
      return Object.assign(answer, { key, attempts: attempt, replayed });
    }
    if (attempt < attempts) {
      await waitFor(answer, delay);
      delay *= 2;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(`POST failed after ${attempts} attempts`);
}
