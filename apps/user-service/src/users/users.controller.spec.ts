import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { UserDto } from '@obs/api-contracts';
import { configureService, loadConfig } from '@obs/service-kit';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { SERVICE } from '../service';

// The real service over HTTP, storing users in the embedded engine under a
// temporary DATA_DIR.

const JWT_SECRET = 'user-service-test-secret-0123456789';

describe('user-service', () => {
  let dataDir: string;
  let app: INestApplication;
  let baseUrl: string;

  // The embedded database takes a few seconds to start, more on a busy machine.
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'user-service-'));
    const config = loadConfig(SERVICE, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      JWT_SECRET,
    });
    app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
    configureService(app, config);
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  }, 30_000);

  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function post(path: string, body: unknown) {
    return fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async function register(email: string, password = 'correct horse battery', name = 'Ada') {
    const response = await post('/users/register', { email, password, name });
    return { status: response.status, body: (await response.json()) as UserDto };
  }

  async function metric(name: string, result: string): Promise<number> {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const line = new RegExp(`^${name}\\{result="${result}",service="user-service"\\} (\\d+)$`, 'm');
    return Number(line.exec(text)?.[1] ?? 0);
  }

  describe('POST /users/register', () => {
    it('creates the user with a lower-cased email and answers the profile only', async () => {
      const registered = await metric('users_registered_total', 'success');

      const { status, body } = await register('Ada.Lovelace@Example.COM', 'correct horse', 'Ada L');

      expect(status).toBe(201);
      expect(body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: 'ada.lovelace@example.com',
        name: 'Ada L',
      });
      expect(await metric('users_registered_total', 'success')).toBe(registered + 1);
    });

    it('answers 409 for an email already taken, whatever its case', async () => {
      await register('grace@example.com');
      const conflicts = await metric('users_registered_total', 'conflict');

      const response = await post('/users/register', {
        email: 'GRACE@example.com',
        password: 'another password',
        name: 'Impostor',
      });

      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: 'email is already registered',
      });
      expect(await metric('users_registered_total', 'conflict')).toBe(conflicts + 1);
    });

    it('answers 400 naming every invalid field', async () => {
      const response = await post('/users/register', { email: 'nope', password: 'short' });

      expect(response.status).toBe(400);
      const { message } = (await response.json()) as { message: string[] };
      for (const field of ['email', 'password', 'name']) {
        expect(message.some((line) => line.startsWith(field))).toBe(true);
      }
    });
  });

  describe('POST /users/login', () => {
    let user: UserDto;

    beforeAll(async () => {
      ({ body: user } = await register('alan@example.com', 'enigma machine'));
    });

    it('answers a signed access token whose subject is the user', async () => {
      const successes = await metric('user_logins_total', 'success');

      const response = await post('/users/login', {
        email: 'Alan@Example.com',
        password: 'enigma machine',
      });

      expect(response.status).toBe(200);
      const { accessToken } = (await response.json()) as { accessToken: string };
      const [header, payload, signature] = accessToken.split('.');
      expect(
        createHmac('sha256', JWT_SECRET).update(`${header}.${payload}`).digest('base64url'),
      ).toBe(signature);
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
        string,
        unknown
      >;
      expect(claims).toMatchObject({ sub: user.id, email: 'alan@example.com' });
      expect(Number(claims.exp) - Number(claims.iat)).toBe(3_600);
      expect(await metric('user_logins_total', 'success')).toBe(successes + 1);
    });

    it('answers the same 401 for a wrong password and for an unknown email', async () => {
      const failures = await metric('user_logins_total', 'failure');

      const wrongPassword = await post('/users/login', {
        email: 'alan@example.com',
        password: 'bombe',
      });
      const unknownEmail = await post('/users/login', {
        email: 'nobody@example.com',
        password: 'enigma machine',
      });

      for (const response of [wrongPassword, unknownEmail]) {
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'email or password is wrong',
        });
      }
      expect(await metric('user_logins_total', 'failure')).toBe(failures + 2);
    });
  });

  describe('profiles', () => {
    let user: UserDto;

    beforeAll(async () => {
      ({ body: user } = await register('barbara@example.com'));
    });

    it('GET /users/me answers the profile of the caller the gateway names', async () => {
      const response = await fetch(`${baseUrl}/users/me`, { headers: { 'x-user-id': user.id } });

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(user);
    });

    it('GET /users/me answers 401 without the x-user-id header', async () => {
      const response = await fetch(`${baseUrl}/users/me`);

      expect(response.status).toBe(401);
      expect(((await response.json()) as { message: string }).message).toBe(
        'the x-user-id header is required',
      );
    });

    it('GET /internal/users/:id answers the profile, 404 for an unknown id, 400 for a malformed one', async () => {
      expect(await (await fetch(`${baseUrl}/internal/users/${user.id}`)).json()).toEqual(user);
      const unknown = await fetch(`${baseUrl}/internal/users/00000000-0000-4000-8000-000000000000`);
      expect(unknown.status).toBe(404);
      expect((await fetch(`${baseUrl}/internal/users/42`)).status).toBe(400);
    });
  });
});
