// Small fetch helpers with a timeout, so a hung endpoint cannot hang a drill.

/**
 * fetch, tried once more when the connection itself failed. fetch keeps connections alive, and
 * after the runner restarts the stack (DRILL_FRESH_STACK) the first request may go out on a
 * socket the old process closed. Only network errors of idempotent requests are retried, never
 * an HTTP answer, never a POST.
 */
export async function fetchWithRetry(
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const idempotent = ['GET', 'HEAD', 'DELETE'].includes(init.method ?? 'GET');
    if (!idempotent || !(error instanceof TypeError)) throw error; // nor a timeout
    await sleep(250);
    return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  }
}

export async function getJson<T>(
  url: string,
  init: RequestInit = {},
  timeoutMs = 5000,
): Promise<T> {
  const res = await fetchWithRetry(url, init, timeoutMs);
  if (!res.ok)
    throw new Error(
      `${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${await res.text().catch(() => '')}`.trim(),
    );
  return (await res.json()) as T;
}

export async function isUp(url: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await fetchWithRetry(url, {}, timeoutMs);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `intervalMs` until it returns a value or `timeoutMs` passes. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 2000,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
