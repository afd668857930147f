// "Register and log in" through the gateway's public API, for the harnesses that need a user:
// the end-to-end tests, the drills, the benchmark and the API fuzzing. Erasable TypeScript with
// no imports: Node runs it as is.

export interface Account {
  email: string;
  password: string;
  name: string;
}

export interface SignedUp extends Account {
  id: string;
  /** The bearer token of POST /api/auth/login. */
  token: string;
}

export interface CallOptions {
  /** Each request's timeout (default 10 s): a hung gateway fails the step instead of hanging it. */
  timeoutMs?: number;
}

/** A new account, unique to this call, named after `label`. */
export function newAccount(label: string): Account {
  const unique = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    email: `${label}-${unique}@example.com`,
    password: `pw-${label}-${Math.random().toString(36).slice(2)}`,
    name: label,
  };
}

/** POST /api/auth/register: the new user's id. Anything but 201 is an error naming the status. */
export async function register(
  gateway: string,
  account: Account,
  options: CallOptions = {},
): Promise<string> {
  const { id } = await post<{ id: string }>(gateway, '/api/auth/register', account, 201, options);
  return id;
}

/** POST /api/auth/login: the bearer token. Anything but 200 is an error naming the status. */
export async function logIn(
  gateway: string,
  { email, password }: Pick<Account, 'email' | 'password'>,
  options: CallOptions = {},
): Promise<string> {
  const { accessToken } = await post<{ accessToken: string }>(
    gateway,
    '/api/auth/login',
    { email, password },
    200,
    options,
  );
  return accessToken;
}

/** Registers `who` (an account, or a label for a new one) and logs in. */
export async function signUp(
  gateway: string,
  who: string | Account,
  options: CallOptions = {},
): Promise<SignedUp> {
  const account = typeof who === 'string' ? newAccount(who) : who;
  const id = await register(gateway, account, options);
  const token = await logIn(gateway, account, options);
  return { ...account, id, token };
}

async function post<T>(
  gateway: string,
  path: string,
  body: unknown,
  expected: number,
  { timeoutMs = 10_000 }: CallOptions,
): Promise<T> {
  const response = await fetch(`${gateway.replace(/\/+$/, '')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`POST ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}
